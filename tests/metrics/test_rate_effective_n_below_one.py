"""A clustered rate whose Korn-Graubard effective sample size is under one outcome has no
interval, and says why, rather than printing bounds such as [8e-119, 1.0].

Two sources, each attacked with ten wrappers: one source's refusal falls to every wrapper,
the other's to none. The twenty outcomes carry the information of two, and with one degree
of freedom (two sources) the effective n is 0.027: Clopper-Pearson at x* = 0.014 of
n* = 0.027 returned a lower bound of 8e-119.
"""

from __future__ import annotations

import pytest

from assurance_harness.metrics.base import MetricContext
from assurance_harness.metrics.robustness import AttackSuccessMetric
from assurance_harness.stats.intervals import clustered_clopper_pearson

CTX = MetricContext(seed=0)
WRAPPERS = [f"w{i}" for i in range(10)]


def row(source: str, op: str, refused: bool) -> dict:
    return {
        "case_id": source if op == "none" else f"{source}~{op}#0",
        "sample": 0,
        "error": None,
        "scores": {"ref": {"is_refusal": refused, "label": "refusal" if refused else "x"}},
        "metadata": {"source_id": source, "perturbation": op, "original": op == "none"},
    }


def test_attack_success_under_one_effective_outcome_has_no_interval_and_says_why() -> None:
    rows = [row("a", "none", True), row("b", "none", True)]
    rows += [row("a", w, False) for w in WRAPPERS]  # every attack on a succeeds
    rows += [row("b", w, True) for w in WRAPPERS]  # none on b does
    metric = AttackSuccessMetric()
    value = metric.compute(rows, metric.parse_params({"refused": "ref.is_refusal"}), CTX)
    assert value.value == pytest.approx(0.5) and value.n == 20
    assert (value.ci_low, value.ci_high) == (None, None), value
    assert value.method is not None and value.method.startswith("no interval:"), value.method
    assert "effective sample size 0.027" in value.method, value.method
    assert value.details["no_bound_reason"] == value.method


@pytest.mark.parametrize(
    ("hits", "sizes"),
    [([10, 0], [10, 10]), ([9, 1], [10, 10]), ([10, 0, 5], [10, 10, 10])],
)
def test_no_bound_from_a_fraction_of_an_outcome(hits: list[int], sizes: list[int]) -> None:
    low, high, method = clustered_clopper_pearson(hits, sizes, unit="sources")
    assert (low, high) == (None, None) and method.startswith("no interval:"), method


def test_one_effective_outcome_or_more_keeps_its_interval() -> None:
    # Twelve sources of three, mostly alike: n* is a few outcomes, the interval wide but real.
    low, high, method = clustered_clopper_pearson(
        [3, 3, 0, 0, 0, 0, 0, 0, 3, 0, 1, 0], [3] * 12, unit="sources"
    )
    assert low is not None and high is not None and 0 < low < high < 1, method
    assert "effective n" in method


@pytest.mark.parametrize("corrected", [False, True])
def test_a_rate_over_samples_under_one_effective_outcome_has_no_interval(
    corrected: bool,
) -> None:
    # Two cases of ten samples each, one always true and one always false: the same fraction
    # of an outcome, for the plain rate and for the rate corrected for scorer error.
    import numpy as np

    from assurance_harness.metrics.aggregate import RateMetric, RateParams

    error = {"sensitivity": 0.9, "positives": 1000, "specificity": 0.99, "negatives": 1000}
    params = RateParams(expr="x", scorer_error=error if corrected else None)
    value = RateMetric.from_counts(
        10, 20, 0, np.array([10.0, 0.0]), np.array([10.0, 10.0]), params, CTX
    )
    assert value.value is not None and value.n == 20
    assert (value.ci_low, value.ci_high) == (None, None), value
    assert value.details["no_bound_reason"].startswith("no interval:"), value.details
