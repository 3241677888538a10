"""Rates over clusters of correlated outcomes (a case's samples, a source's variants)."""

from __future__ import annotations

import pytest

from assurance_harness.metrics.aggregate import RateMetric
from assurance_harness.metrics.base import MetricContext
from assurance_harness.stats.intervals import clopper_pearson, clustered_clopper_pearson


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
    assert "approximate: only 2 cases hold the rarer outcome" in few


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
