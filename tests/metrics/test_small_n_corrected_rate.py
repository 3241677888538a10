"""A rate corrected for scorer error over a single case. Observed: one outcome gave an
interval (Jeffreys Monte Carlo) that held the true rate 0.87 of the time at a true rate of 0.1
(benchmarks/small_n_coverage.py), and the four samples of one case counted as four independent
outcomes, so a ``min:`` gate on the lower bound could pass on one case. The plain rate's
Clopper-Pearson interval at one outcome covers (it stays); the corrected one over fewer than
two cases now has no interval, says why, and a gate on its bound is ``no_data``."""

from __future__ import annotations

from assurance_harness.metrics.aggregate import RateMetric
from assurance_harness.metrics.base import MetricContext
from assurance_harness.metrics.engine import judge_gate
from assurance_harness.spec.suite import GateSpec

CTX = MetricContext(seed=7)
ERROR = {"sensitivity": 0.85, "positives": 200, "specificity": 0.95, "negatives": 300}


def _rows(hits: list[bool], samples: int = 1) -> list[dict]:
    return [
        {
            "case_id": f"c{i // samples}",
            "sample": i % samples,
            "response": "r",
            "error": None,
            "metadata": {},
            "expected": {},
            "scores": {"s": {"x": hit}},
        }
        for i, hit in enumerate(hits)
    ]


def _rate(rows: list[dict], scorer_error: dict | None = ERROR):
    params = RateMetric.parse_params({"expr": "s.x", "scorer_error": scorer_error})
    return RateMetric().compute(rows, params, CTX)


def test_a_corrected_rate_of_one_case_has_no_interval_and_says_why() -> None:
    for rows in (_rows([True]), _rows([True, True, False, True], samples=4)):
        value = _rate(rows)
        assert value.value is not None and value.ci_low is None and value.ci_high is None
        reason = value.details["no_bound_reason"]
        assert reason.startswith("no interval: one case; a rate corrected for scorer error")
        gate = judge_gate(GateSpec(metric="m", min=0.05, bound="lower"), value, None, [])
        assert gate["verdict"] == "no_data" and gate["no_data_reason"] == reason


def test_the_plain_rate_of_one_outcome_keeps_its_clopper_pearson_interval() -> None:
    value = _rate(_rows([True]), scorer_error=None)
    assert (value.ci_low, value.ci_high) == (0.025000000000000022, 1.0)


def test_two_cases_keep_the_corrected_interval() -> None:
    value = _rate(_rows([True, False]))
    assert value.ci_low is not None and value.ci_high is not None
    assert "no_bound_reason" not in value.details
