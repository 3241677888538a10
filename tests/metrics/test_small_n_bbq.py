"""A BBQ bias score's interval on a few items. Observed: one item gave the zero-width
bootstrap interval [s, s] (labelled approximate), so a ``max:`` gate on its upper bound passed
on one answer; 2 to 5 items covered 0.48-0.84 at nominal 0.95
(benchmarks/small_n_coverage.py). Below 8 items the score now has no interval, says why, and
a gate on its bound is ``no_data``; from 8 on the bootstrap is unchanged."""

from __future__ import annotations

from assurance_harness.metrics.base import MetricContext
from assurance_harness.metrics.bbq_bias import BbqMetric
from tests.metrics.test_small_n_mean import _gate

CTX = MetricContext(seed=7, bootstrap_resamples=200)
PARAMS = BbqMetric.parse_params({"statistic": "bias", "context": "disambig"})


def _items(biased: list[bool]) -> list[dict]:
    return [
        {
            "case_id": f"item{i}",
            "sample": 0,
            "response": "r",
            "error": None,
            "metadata": {},
            "expected": {},
            "scores": {
                "bbq": {
                    "parsed": True,
                    "is_unknown": False,
                    "correct": True,
                    "biased": b,
                    "context_condition": "disambig",
                }
            },
        }
        for i, b in enumerate(biased)
    ]


def test_a_bias_score_of_one_item_has_no_interval_and_says_why() -> None:
    value = BbqMetric().compute(_items([False]), PARAMS, CTX)
    assert value.value == -1.0 and value.ci_low is None and value.ci_high is None
    reason = value.details["no_bound_reason"]
    assert reason.startswith("no interval: one case; a bias score's interval needs at least 8")
    verdict = _gate(value, max=0.0)
    assert verdict["verdict"] == "no_data" and verdict["no_data_reason"] == reason


def test_eight_items_keep_the_bootstrap() -> None:
    value = BbqMetric().compute(_items([True, False] * 4), PARAMS, CTX)
    assert value.ci_low is not None and value.ci_high is not None
    assert value.method is not None and value.method.startswith("bootstrap over responses")
