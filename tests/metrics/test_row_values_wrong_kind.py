"""Per-row values (``metrics.rowvalues``, read by compare's tests and the per-perturbation plots)
count a row only as the metric itself counts it. Observed: a rate's row values read the
condition's truthiness, so where the metric refused the number 0.5 or the text "false" (no
figure, with a reason: ``metrics.wrongkind``), its row values counted each as 1.0, and a mean's
skipped the text the mean refused; a plot drew a bar from values the run's own figure rejected.
Now a metric that has no figure for a value of the wrong kind has no per-row values either."""

from __future__ import annotations

import math
from typing import Any

import pytest

from assurance_harness.metrics.aggregate import MeanMetric, RateMetric
from assurance_harness.metrics.base import MetricContext, MetricKind
from assurance_harness.metrics.rowvalues import row_values, streamed_row_values


def _rows(values: list[Any]) -> list[dict[str, Any]]:
    return [
        {"case_id": f"c{i}", "sample": 0, "metadata": {}, "scores": {"s": {"x": value}}}
        for i, value in enumerate(values)
    ]


def _figure(kind: type[MetricKind], expr: str, rows: list[dict[str, Any]]) -> float | None:
    return kind().compute(rows, kind.parse_params(expr), MetricContext(seed=0)).value


@pytest.mark.parametrize(
    ("kind", "expr", "values"),
    [
        (RateMetric, "s.x", [True, 0.5, False]),
        (RateMetric, "s.x", [True, "false", False]),
        (RateMetric, "not s.x", [True, "false", False]),
        (RateMetric, "s.x and True", [True, 0.3, False]),
        (MeanMetric, "s.x", [0.2, "0.1", 0.6]),
        (MeanMetric, "s.x", [0.2, [1], 0.6]),
    ],
    ids=["rate-0.5", "rate-text", "rate-not-text", "rate-and-number", "mean-text",
         "mean-list"],
)  # fmt: skip
def test_no_row_values_where_the_metric_refused_a_value(
    kind: type[MetricKind], expr: str, values: list[Any]
) -> None:
    rows = _rows(values)
    assert _figure(kind, expr, rows) is None
    entry = {"kind": kind.name, "spec": {"id": "m", kind.name: expr}}
    assert row_values(entry, rows) is None
    # Read a chunk at a time, as plots and compare read a run: the refused value in a later
    # chunk than the counted ones still leaves the metric without per-row values.
    streamed = streamed_row_values({"m": entry}, iter(rows * 700), lambda name, row: None)
    assert streamed == {"m": None}


@pytest.mark.parametrize(
    ("kind", "expr", "values", "want"),
    [
        (RateMetric, "s.x", [True, 1, 0, False, None], [1.0, 1.0, 0.0, 0.0]),
        (RateMetric, "s.x > 0.5", [0.9, 0.1, None], [1.0, 0.0]),
        (RateMetric, "s.x", [True, math.nan, False], [1.0, 0.0]),
        (MeanMetric, "s.x", [0.2, True, None, math.nan, 4], [0.2, 1.0, 4.0]),
    ],
    ids=["rate-0-1", "rate-comparison", "rate-nan-is-null", "mean-numbers"],
)
def test_row_values_are_the_values_the_metric_counts(
    kind: type[MetricKind], expr: str, values: list[Any], want: list[float]
) -> None:
    rows = _rows(values)
    entry = {"kind": kind.name, "spec": {"id": "m", kind.name: expr}}
    counted = row_values(entry, rows)
    assert counted is not None and [value for _, value in counted] == want
    assert _figure(kind, expr, rows) == pytest.approx(sum(want) / len(want))
