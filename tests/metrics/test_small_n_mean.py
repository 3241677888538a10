"""A mean's interval on tiny samples. Observed: a ``mean`` of values outside [0, 1] (a
length, a latency) over one case, or over the samples of one case, got a zero-width interval
labelled "approximate", so a ``max:`` gate on its upper bound passed on a single value; at 2
to 5 cases the percentile bootstrap covered 0.41-0.86 at nominal 0.95. Below the size where
an interval can be shown to cover, the figure now has no interval and says why, and a gate on
its bound is ``no_data``, as for a metric without data; from there to 30 cases it is a t
interval (which covers better than the bootstrap at every such size measured); from 30 on it
is the bootstrap, unchanged. Coverage: benchmarks/small_n_coverage.py."""

from __future__ import annotations

import numpy as np

from assurance_harness.metrics.aggregate import MeanMetric
from assurance_harness.metrics.base import MetricContext, MetricValue
from assurance_harness.metrics.engine import judge_gate
from assurance_harness.spec.suite import GateSpec
from assurance_harness.stats.intervals import bootstrap_ci, mean_interval

CTX = MetricContext(seed=7)


def _rows(values: list[float], samples: int = 1) -> list[dict]:
    return [
        {
            "case_id": f"c{i // samples}",
            "sample": i % samples,
            "response": "r",
            "error": None,
            "metadata": {},
            "expected": {},
            "scores": {"len": {"chars": v}},
        }
        for i, v in enumerate(values)
    ]


def _gate(value: MetricValue, **limits: float) -> dict:
    return judge_gate(GateSpec(metric="m", bound="upper", **limits), value, None, [])


def test_a_mean_of_one_value_has_no_interval_and_says_why() -> None:
    value = MeanMetric().compute(_rows([250.0]), MeanMetric.parse_params("len.chars"), CTX)
    assert value.value == 250.0 and value.n == 1
    assert value.ci_low is None and value.ci_high is None
    reason = value.details["no_bound_reason"]
    assert reason.startswith("no interval: one case; an interval for a mean of values outside")
    assert "needs at least" in reason and value.method == reason


def test_a_max_gate_on_the_upper_bound_of_one_value_does_not_pass() -> None:
    value = MeanMetric().compute(_rows([250.0]), MeanMetric.parse_params("len.chars"), CTX)
    verdict = _gate(value, max=300)
    assert verdict["verdict"] == "no_data" and verdict["checked"] is None
    assert verdict["no_data_reason"] == value.details["no_bound_reason"]


def test_the_samples_of_one_case_are_one_case() -> None:
    rows = _rows([240.0, 250.0, 255.0, 262.0], samples=4)
    value = MeanMetric().compute(rows, MeanMetric.parse_params("len.chars"), CTX)
    assert value.n == 4 and value.ci_low is None and value.ci_high is None
    assert value.details["no_bound_reason"].startswith("no interval: one case")
    assert _gate(value, max=300)["verdict"] == "no_data"


def test_a_mean_of_three_cases_has_no_interval() -> None:
    value = MeanMetric().compute(
        _rows([120.0, 300.0, 180.0]), MeanMetric.parse_params("len.chars"), CTX
    )
    assert value.ci_high is None and "3 cases" in value.details["no_bound_reason"]


def test_a_mean_of_ten_cases_gets_a_t_interval_that_says_it_is_approximate() -> None:
    data = np.random.default_rng(3).lognormal(5, 0.8, 10)
    value = MeanMetric().compute(_rows(list(data)), MeanMetric.parse_params("len.chars"), CTX)
    assert value.ci_low is not None and value.ci_high is not None
    assert value.ci_low < value.value < value.ci_high
    assert value.method is not None and value.method.startswith("t interval over 10 cases")
    assert "approximate" in value.method and "no_bound_reason" not in value.details


def test_from_thirty_cases_the_interval_is_the_bootstrap_as_before() -> None:
    data = np.random.default_rng(4).lognormal(5, 0.8, 30)
    low, high, method = mean_interval(data, seed=7)
    assert (low, high) == bootstrap_ci(data, np.mean, seed=7)
    assert method.startswith("bootstrap(seed=7, resamples=2000)")


def test_forty_cases_of_one_value_have_no_interval_as_below_thirty() -> None:
    # A bot that answers every case with the same canned reply: 'len.words' is 5 on all 40.
    # Below 30 cases that is "no interval: all the cases have the same value"; from 30 on the
    # bootstrap gave [5, 5], and a 'max: 5.5' gate on its upper bound passed, claiming a mean
    # known exactly from cases that cannot show how far it may lie (a 3% mode at 100 is missed
    # by 40 draws 30% of the time).
    for samples in (1, 2):
        rows = _rows([5.0] * 40 * samples, samples=samples)
        value = MeanMetric().compute(rows, MeanMetric.parse_params("len.chars"), CTX)
        assert value.value == 5.0 and value.ci_low is None and value.ci_high is None, value
        assert "same value" in value.details["no_bound_reason"], value.details
        assert _gate(value, max=5.5)["verdict"] == "no_data"
