"""A quantile over a single value says the same thing computed from rows and from a streamed
run's columns (found by an adversarial pass: the rows gave every value its case as a cluster,
and one value, one case, read "no interval: one case; ... (its 1 samples are not independent
values)": a sample count of one named as the reason, and a summary that differed from the
streamed run's for the same rows)."""

from __future__ import annotations

import numpy as np

from assurance_harness.metrics.aggregate import QuantileMetric, QuantileParams
from assurance_harness.metrics.base import MetricContext
from assurance_harness.stats.clustered import clustered_quantile_interval
from assurance_harness.stats.intervals import ONE_VALUE_QUANTILE, quantile_interval

CTX = MetricContext(seed=0)


def test_one_value_in_its_own_case_reads_as_one_value() -> None:
    values = np.array([3.0])
    assert clustered_quantile_interval(values, ["c0"], 0.5, 0.95) == quantile_interval(values, 0.5)
    params = QuantileParams(expr="x", q=0.5)
    from_rows = QuantileMetric.from_values(values, 0, params, CTX, ["c0"])
    from_columns = QuantileMetric.from_values(values, 0, params, CTX, None)
    assert from_rows.to_dict() == from_columns.to_dict()
    assert from_rows.details["no_bound_reason"] == ONE_VALUE_QUANTILE


def test_one_case_of_several_samples_still_says_they_are_not_independent() -> None:
    low, high, note = clustered_quantile_interval(np.array([1.0, 2.0, 3.0]), ["c"] * 3, 0.5, 0.95)
    assert (low, high) == (None, None)
    assert note == ONE_VALUE_QUANTILE + " (its 3 samples are not independent values)"
