"""Rates over clusters of correlated outcomes (a case's samples, a source's variants)."""

from __future__ import annotations

import numpy as np
import pytest

from assurance_harness.metrics.aggregate import MeanMetric, RateMetric
from assurance_harness.metrics.base import MetricContext
from assurance_harness.stats.intervals import (
    clopper_pearson,
    cluster_totals,
    clustered_clopper_pearson,
    mean_interval,
)


def test_one_outcome_per_cluster_is_clopper_pearson() -> None:
    low, high, method = clustered_clopper_pearson([1, 0, 0, 1, 0], [1] * 5)
    assert (low, high) == clopper_pearson(2, 5) and method == "clopper-pearson"


def test_alike_clusters_widen_the_interval_and_few_of_them_are_labelled() -> None:
    # 40 clusters of 5: 8 hit in all 5, the rest in none (perfectly alike within a cluster).
    hits, sizes = [5] * 8 + [0] * 32, [5] * 40
    low, high, method = clustered_clopper_pearson(hits, sizes, unit="cases")
    by_cluster = clopper_pearson(8, 40)
    assert low == pytest.approx(by_cluster[0], abs=0.02)
    assert high == pytest.approx(by_cluster[1], abs=0.02)
    assert "clustered over 40 cases" in method and "approximate" not in method
    _, _, few = clustered_clopper_pearson([5, 5, 0, 0, 0, 0, 0, 0], [5] * 8, unit="cases")
    assert "at most one outcome a case: only 2 cases hold the rarer outcome" in few
    assert "approximate" not in few


def test_rate_metric_clusters_a_cases_samples() -> None:
    rows = [
        {"case_id": f"c{c}", "sample": s, "scores": {"s": {"x": c < 6}}}
        for c in range(30)
        for s in range(4)
    ]
    value = RateMetric().compute(rows, RateMetric.parse_params("s.x"), MetricContext(seed=0))
    assert value.value == pytest.approx(0.2) and value.n == 120
    naive = clopper_pearson(24, 120)
    assert value.method.startswith("clopper-pearson, clustered over 30 cases")
    assert value.ci_high - value.ci_low > 1.5 * (naive[1] - naive[0])
    single = [{"case_id": f"c{c}", "sample": 0, "scores": {"s": {"x": c < 6}}} for c in range(30)]
    plain = RateMetric().compute(single, RateMetric.parse_params("s.x"), MetricContext(seed=0))
    assert plain.method == "clopper-pearson"
    assert (plain.ci_low, plain.ci_high) == clopper_pearson(6, 30)


def samples_rows(values: list[list[float]]) -> list[dict[str, object]]:
    """Rows with ``values[c][s]`` as sample s of case c."""
    return [
        {"case_id": f"c{c}", "sample": s, "scores": {"s": {"x": v}}}
        for c, per_case in enumerate(values)
        for s, v in enumerate(per_case)
    ]


def test_mean_of_0_1_values_is_clustered_by_case_like_the_rate() -> None:
    # Issue 11: with 4 samples per case a rate was clustered by case, a mean of the same 0/1
    # values was not, so one figure had two intervals.
    rows = samples_rows([[float(c < 6)] * 4 for c in range(30)])
    ctx = MetricContext(seed=0)
    rate = RateMetric().compute(rows, RateMetric.parse_params("s.x"), ctx)
    mean = MeanMetric().compute(rows, MeanMetric.parse_params("s.x"), ctx)
    assert (mean.value, mean.ci_low, mean.ci_high, mean.method) == (
        rate.value,
        rate.ci_low,
        rate.ci_high,
        rate.method,
    )
    assert mean.method.startswith("clopper-pearson, clustered over 30 cases")


def test_one_sample_per_case_keeps_the_unclustered_mean_interval() -> None:
    values = [0.1, 0.0, 0.7, 0.2, 0.05, 0.3]
    rows = samples_rows([[v] for v in values])
    found = MeanMetric().compute(rows, MeanMetric.parse_params("s.x"), MetricContext(seed=3))
    assert (found.ci_low, found.ci_high, found.method) == mean_interval(values, seed=3)


def test_alike_samples_widen_the_mean_of_scores_and_of_unbounded_values() -> None:
    rng = np.random.default_rng(1)
    level = rng.beta(0.2, 0.8, 40)  # each case's own score level, shared by its samples
    scores = np.clip(level[:, None] + rng.normal(0, 0.01, (40, 5)), 0, 1).ravel()
    cases = np.repeat(np.arange(40), 5).tolist()
    low, high, method = mean_interval(scores, seed=0, clusters=cases)
    plain = mean_interval(scores, seed=0)
    assert "clustered over 40 cases" in method
    # The unclustered interval is conservative already (variance bound p(1 - p)), so it widens
    # less than the values' own spread would suggest.
    assert high - low > 1.3 * (plain[1] - plain[0])  # type: ignore[operator]
    latency = (np.exp(level * 3)[:, None] + rng.normal(0, 0.01, (40, 5))).ravel()
    low, high, method = mean_interval(latency, seed=0, clusters=cases)
    plain = mean_interval(latency, seed=0)
    assert method.startswith("bootstrap over 40 cases")
    assert high - low > 1.5 * (plain[1] - plain[0])  # type: ignore[operator]


def test_clustered_mean_of_0_1_values_covers() -> None:
    # 30 cases x 4 samples whose outcomes agree within a case (icc 0.5): the unclustered
    # interval covers about 0.8 here.
    rng = np.random.default_rng(4)
    cases = np.repeat(np.arange(30), 4).tolist()
    covered = naive = 0
    for _ in range(300):
        rates = rng.beta(0.3, 0.7, 30)
        hits = (rng.random((30, 4)) < rates[:, None]).astype(float).ravel()
        low, high, _ = mean_interval(hits, seed=0, clusters=cases)
        covered += low <= 0.3 <= high  # type: ignore[operator]
        low, high, _ = mean_interval(hits, seed=0)
        naive += low <= 0.3 <= high  # type: ignore[operator]
    assert covered / 300 >= 0.93 and naive / 300 < 0.9


def test_cluster_totals_in_order_of_first_appearance() -> None:
    sums, sizes = cluster_totals([1, 0, 1, 1], ["b", "a", "b", "c"])
    assert sums.tolist() == [2, 0, 1] and sizes.tolist() == [2, 1, 1]
