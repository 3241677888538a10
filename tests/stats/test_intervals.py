"""One home for intervals: Wilson against an independent reference, the bootstrap's memory,
and per-row metric values that count exactly the rows the metric counted."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from scipy.stats import binomtest

from assurance_harness.compare import stats as compare_stats
from assurance_harness.metrics import intervals as metric_intervals
from assurance_harness.metrics.aggregate import MeanMetric, RateMetric
from assurance_harness.metrics.base import MetricContext
from assurance_harness.metrics.rowvalues import row_values
from assurance_harness.stats import intervals
from assurance_harness.stats.intervals import bootstrap_ci, wilson


def _reference(successes: int, n: int, confidence: float) -> tuple[float, float]:
    ci = binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_matches_scipy_on_every_count_up_to_60(confidence: float) -> None:
    for n in range(1, 61):
        for successes in range(n + 1):
            low, high = wilson(successes, n, confidence)
            ref_low, ref_high = _reference(successes, n, confidence)
            assert low == pytest.approx(ref_low, abs=1e-12), (successes, n)
            assert high == pytest.approx(ref_high, abs=1e-12), (successes, n)


def test_all_or_nothing_bounds_are_exact() -> None:
    # The compare package's copy left rounding residue here (e.g. a lower bound of 1e-17 with
    # no hits) in 28 of these 118 cases; the one Wilson is exact at both ends.
    for n in range(1, 60):
        assert wilson(0, n)[0] == 0.0
        assert wilson(n, n)[1] == 1.0


def test_no_data_has_no_interval_everywhere() -> None:
    assert wilson(0, 0) == (None, None)
    assert compare_stats.wilson(0, 0) == (None, None)


def test_old_import_paths_are_the_same_functions() -> None:
    assert compare_stats.wilson is metric_intervals.wilson is intervals.wilson
    assert compare_stats.z_value is metric_intervals.z_value is intervals.z_value


def test_blocked_bootstrap_draws_the_same_stream_as_one_draw(monkeypatch) -> None:
    values = np.random.default_rng(3).normal(size=301)
    whole = bootstrap_ci(values, np.mean, seed=11, resamples=999)
    monkeypatch.setattr(intervals, "BOOTSTRAP_BLOCK", 1000)  # three resamples per block
    assert bootstrap_ci(values, np.mean, seed=11, resamples=999) == whole


def _bootstrap_before(values: np.ndarray, statistic, seed: int, resamples: int):  # type: ignore[no-untyped-def]
    """``bootstrap_ci`` as it was before arrays shared their draws (its code, verbatim)."""
    if values.size == 0:
        return None, None
    if values.size == 1:
        only = float(statistic(values))
        return only, only
    rng = np.random.default_rng(seed)
    parts = []
    for idx in intervals.resample_indices(rng, values.size, resamples):
        samples = values[idx]
        try:
            part = np.asarray(statistic(samples, axis=1), dtype=np.float64)
        except TypeError:
            part = np.array([statistic(row) for row in samples], dtype=np.float64)
        parts.append(part)
    alpha = (1 - 0.95) / 2
    low, high = np.nanquantile(np.concatenate(parts), [alpha, 1 - alpha])
    return float(low), float(high)


def test_arrays_of_one_size_share_their_draws_with_the_same_intervals(monkeypatch) -> None:
    monkeypatch.setattr(intervals, "BOOTSTRAP_BLOCK", 1000)  # several blocks
    rng = np.random.default_rng(5)
    datas = [rng.normal(size=size) for size in (40, 0, 40, 1, 17, 40, 17)]
    datas[2][3] = np.nan  # a NaN statistic in some resamples: nanquantile skips them
    for statistic in (np.mean, np.median, lambda row: float(np.max(row))):
        shared = intervals.bootstrap_cis(datas, statistic, seed=9, resamples=301)
        assert shared == [bootstrap_ci(d, statistic, seed=9, resamples=301) for d in datas]
        assert shared == [_bootstrap_before(d, statistic, 9, 301) for d in datas]


def test_bootstrap_memory_does_not_grow_with_resamples() -> None:
    values = np.random.default_rng(0).random(200_000)
    tracemalloc.start()
    bootstrap_ci(values, np.mean, seed=1, resamples=400)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # All resamples at once would hold 400 x 200k int64 indices (640 MB); blocks hold ~16 MB.
    assert peak < 64 * 2**20, peak


def _row(i: int, value: object) -> dict:
    return {"case_id": f"c{i}", "sample": 0, "metadata": {}, "scores": {"s": {"x": value}}}


def test_row_values_count_what_the_metric_counts() -> None:
    # A NaN score: the mean metric skips it; the compare copy used to count it as a value.
    # (Text would leave the mean without a figure: metrics.wrongkind.)
    rows = [_row(0, 0.2), _row(1, math.nan), _row(2, None), _row(3, 0.6)]
    entry = {"kind": "mean", "spec": {"id": "m", "mean": "s.x"}}
    values = row_values(entry, rows)
    assert values is not None
    metric = MeanMetric().compute(rows, MeanMetric.parse_params("s.x"), MetricContext(seed=0))
    assert len(values) == metric.n == 2
    assert sum(v for _, v in values) / len(values) == pytest.approx(metric.value)


def test_rate_row_values_respect_where_and_nulls() -> None:
    rows = [_row(0, 0.9), _row(1, 0.1), _row(2, None), _row(3, 0.7)]
    entry = {"kind": "rate", "spec": {"id": "r", "rate": "s.x > 0.5", "where": "case_id != 'c3'"}}
    values = row_values(entry, rows)
    assert values is not None and [v for _, v in values] == [1.0, 0.0]
    kept = rows[:3]
    metric = RateMetric().compute(kept, RateMetric.parse_params("s.x > 0.5"), MetricContext(0))
    assert metric.n == len(values) and metric.value == 0.5


def test_kinds_without_a_per_row_form_give_none() -> None:
    entry = {"kind": "quantile", "spec": {"id": "q", "quantile": {"expr": "s.x", "q": 0.9}}}
    assert row_values(entry, [_row(0, 0.1)]) is None
    assert row_values({"kind": "no-such-kind", "spec": {}}, [_row(0, 0.1)]) is None
