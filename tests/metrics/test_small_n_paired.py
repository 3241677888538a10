"""A paired delta's interval on tiny or uniform samples. Observed: with one pair the delta had
no interval but did not say why (a gate on it read "the metric has no upper figure"); when
every pair had the same delta (ten templates whose refusal did not change between groups, all
deltas 0) the t interval was [0, 0], zero width, and a ``max: 0.05`` gate on its upper bound
passed, although ten unchanged pairs cannot show a change below 0.05. Both now have no
interval, say why, and a gate on the bound is ``no_data``."""

from __future__ import annotations

from assurance_harness.metrics.base import MetricContext
from assurance_harness.metrics.paired import PairedDeltaMetric
from tests.metrics.test_small_n_mean import _gate

CTX = MetricContext(seed=7)
PARAMS = PairedDeltaMetric.parse_params({"value": "s.x", "reference": "a"})


def _pairs(deltas: list[float]) -> list[dict]:
    rows = []
    for t, delta in enumerate(deltas):
        for group, value in (("a", 0.5), ("b", 0.5 + delta)):
            rows.append(
                {
                    "case_id": f"t{t}-{group}",
                    "sample": 0,
                    "response": "r",
                    "error": None,
                    "metadata": {"template": f"t{t}", "group": group},
                    "expected": {},
                    "scores": {"s": {"x": value}},
                }
            )
    return rows


def test_one_pair_has_no_interval_and_says_why() -> None:
    value = PairedDeltaMetric().compute(_pairs([0.25]), PARAMS, CTX)
    assert value.value == 0.25 and value.ci_low is None and value.ci_high is None
    reason = value.details["no_bound_reason"]
    assert "one pair" in reason and "'b'" in reason
    verdict = _gate(value, max=1)
    assert verdict["verdict"] == "no_data" and verdict["no_data_reason"] == reason


def test_pairs_that_all_have_the_same_delta_give_no_zero_width_interval() -> None:
    value = PairedDeltaMetric().compute(_pairs([0.0] * 10), PARAMS, CTX)
    assert value.value == 0.0 and value.ci_low is None and value.ci_high is None
    assert "same delta" in value.details["no_bound_reason"]
    assert _gate(value, max=0.05)["verdict"] == "no_data"


def test_pairs_with_varying_deltas_keep_their_t_interval() -> None:
    value = PairedDeltaMetric().compute(_pairs([0.1, 0.0, 0.2, 0.1]), PARAMS, CTX)
    assert value.ci_low is not None and value.ci_high is not None
    assert value.ci_low < 0.1 < value.ci_high and "no_bound_reason" not in value.details


def test_a_t_interval_over_few_pairs_is_labelled_approximate() -> None:
    """Skewed changes over 5 pairs covered 0.898 at nominal 0.95, unlabelled
    (benchmarks/small_n_coverage.py): under Cochran's rule (n >= 30, more when skewed) the t
    interval says it is approximate, as a mean's does."""
    few = PairedDeltaMetric().compute(_pairs([0.1, 0.0, 0.2, 0.1, 0.6]), PARAMS, CTX)
    assert few.ci_low is not None and "approximate" in (few.method or "")
    many = PairedDeltaMetric().compute(
        _pairs([0.1 + 0.01 * ((i * 7) % 5) for i in range(40)]), PARAMS, CTX
    )
    assert many.ci_low is not None and "approximate" not in (many.method or "")
