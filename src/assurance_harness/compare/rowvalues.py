"""Per-row values of rate and mean metrics, recomputed from results.jsonl.

Paired comparisons and per-perturbation plots need each row's contribution to a metric, which
summary.json does not hold. For ``rate`` and ``mean`` metrics the contribution is the metric's
expression evaluated on the row (after its ``where`` filter), exactly as the metrics engine
does; other kinds (quantiles, disparities, plugin metrics) have no per-row form and return None.
"""

from __future__ import annotations

from typing import Any

PER_ROW_KINDS = ("rate", "mean")


def metric_expression(metric: dict[str, Any]) -> tuple[str, str, str | None] | None:
    """``(kind, expr, where)`` of a summary metric entry, or None when it has no per-row form."""
    kind = metric.get("kind")
    spec = metric.get("spec") or {}
    if kind not in PER_ROW_KINDS or not isinstance(spec, dict):
        return None
    raw = spec.get(kind)
    if isinstance(raw, dict):
        raw = raw.get("expr")
    if not isinstance(raw, str) or not raw.strip():
        return None
    where = spec.get("where")
    return str(kind), raw, where if isinstance(where, str) and where.strip() else None


def _evaluator() -> Any | None:
    try:
        from ..metrics.expr import evaluate
    except ImportError:  # the engine is not installed in this build
        return None
    return evaluate


def group_key(metric: dict[str, Any], row: dict[str, Any]) -> str | None:
    """The row's group under the metric's ``by:`` expression, as the engine keys it."""
    by = (metric.get("spec") or {}).get("by")
    evaluate = _evaluator()
    if not isinstance(by, str) or evaluate is None:
        return None
    try:
        key = evaluate(by, row)
    except Exception:  # the engine would have failed on it too; no group
        return None
    return None if key is None else str(key)


def row_values(
    metric: dict[str, Any], rows: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], float]] | None:
    """Each row that counts towards the metric, with its value (1.0/0.0 for a rate).

    Rows whose expression is null (a failed request, a missing score) are skipped, as the
    metrics engine skips them. Returns None when per-row values cannot be computed.
    """
    parsed = metric_expression(metric)
    evaluate = _evaluator()
    if parsed is None or evaluate is None:
        return None
    kind, expr, where = parsed
    out: list[tuple[dict[str, Any], float]] = []
    try:
        for row in rows:
            if where is not None and not evaluate(where, row):
                continue
            value = evaluate(expr, row)
            if value is None:
                continue
            if kind == "rate":
                out.append((row, 1.0 if bool(value) else 0.0))
            elif isinstance(value, bool | int | float):
                out.append((row, float(value)))
    except Exception:  # an expression the engine accepted but this row cannot take
        return None
    return out
