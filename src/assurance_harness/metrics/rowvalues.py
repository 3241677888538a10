"""Per-row values of a metric recorded in a run's summary, recomputed from its result rows.

Paired comparisons and per-perturbation plots need each row's contribution to a metric, which
summary.json does not hold. The metric kind itself says what a row contributes
(``MetricKind.row_values``), after the metric's ``where`` filter, so these figures count
exactly the rows the metric counted, read by the kind's own rule (``aggregate.counted_rows``).
Kinds with no per-row form give None, and so does a metric that has no figure because a value
was of the wrong kind (the text "false" or 0.5 in a rate): a plot or a test of it would count
a value the metric refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from . import aggregate  # noqa: F401 - registers rate and mean, the kinds with row values
from .base import MetricKind, MetricParams, Row, metric_kinds
from .expr import evaluate

T = TypeVar("T")


def _kind_and_params(metric: dict[str, Any]) -> tuple[MetricKind, MetricParams] | None:
    kind = metric.get("kind")
    spec = metric.get("spec") or {}
    if not isinstance(kind, str) or not isinstance(spec, dict) or kind not in metric_kinds:
        return None
    try:
        cls = metric_kinds.get(kind)
        return cls(), cls.parse_params(spec.get(kind))
    except Exception:  # a spec this build's kind no longer accepts: no per-row form
        return None


def group_key(metric: dict[str, Any], row: Row) -> str | None:
    """The row's group under the metric's ``by:`` expression, as the engine keys it."""
    by = (metric.get("spec") or {}).get("by")
    if not isinstance(by, str):
        return None
    try:
        key = evaluate(by, row)
    except Exception:  # the engine would have failed on it too; no group
        return None
    return None if key is None else str(key)


def row_values(metric: dict[str, Any], rows: list[Row]) -> list[tuple[Row, float]] | None:
    """Each row that counts towards a summary metric entry, with its value (1.0/0.0 for a
    rate); None when the metric's kind has no per-row form, refuses a value of these rows, or
    its expressions fail here."""
    resolved = _kind_and_params(metric)
    if resolved is None:
        return None
    kind, params = resolved
    where = (metric.get("spec") or {}).get("where")
    try:
        selected = [r for r in rows if not isinstance(where, str) or evaluate(where, r)]
        return kind.row_values(selected, params)
    except Exception:  # an expression the engine accepted but this row cannot take
        return None


ROW_CHUNK = 1024
"""Rows handed to a metric kind's ``row_values`` at a time by ``streamed_row_values``."""


def streamed_row_values(
    metrics: Mapping[str, dict[str, Any]],
    rows: Iterable[Row],
    keep: Callable[[str, Row], T],
) -> dict[str, list[tuple[T, float]] | None]:
    """``row_values`` of several summary metric entries over one pass of ``rows``, keeping of
    each counted row only ``keep(metric id, row)`` beside its value, never the row: a run's rows
    can be far larger than memory allows (two 100,000-row runs took 800 MB held whole).

    The rows are read once, in chunks of ``ROW_CHUNK``: a per-row contribution depends on its
    row alone, so the result is the one ``row_values`` gives on the whole list, in row order; a
    metric whose kind has no per-row form, refuses a value of any row, or whose expressions fail
    on any row, gives None."""
    out: dict[str, list[tuple[T, float]] | None] = {name: [] for name in metrics}
    chunk: list[Row] = []

    def flush() -> None:
        for name, metric in metrics.items():
            kept = out[name]
            if kept is None:
                continue
            counted = row_values(metric, chunk)
            if counted is None:
                out[name] = None
            else:
                kept.extend((keep(name, row), value) for row, value in counted)
        chunk.clear()

    for row in rows:
        chunk.append(row)
        if len(chunk) >= ROW_CHUNK:
            flush()
    if chunk:
        flush()
    return out
