"""The basic metric kinds: rate of a condition, mean and quantile of a value."""

from __future__ import annotations

from functools import partial

import numpy as np
from pydantic import Field

from ..stats.intervals import bootstrap_ci, wilson
from ._pairs import number
from .base import MetricContext, MetricKind, MetricParams, MetricValue, Row, register_metric
from .expr import evaluate


class ExprParams(MetricParams):
    expr: str
    """Expression evaluated per row (see docs/FORMATS.md)."""


class QuantileParams(ExprParams):
    q: float = Field(default=0.95, gt=0, lt=1)
    """Quantile to report, e.g. 0.95 for the 95th percentile."""


def numeric_values(rows: list[Row], expr: str) -> tuple[list[float], int]:
    """Evaluate ``expr`` per row; return the numeric values and how many rows were skipped.

    Null, text, lists and NaN are skipped (and counted), never coerced or allowed to crash the
    run after every response has been collected.
    """
    values: list[float] = []
    skipped = 0
    for row in rows:
        value = number(evaluate(expr, row))
        if value is None:
            skipped += 1
            continue
        values.append(value)
    return values, skipped


@register_metric
class RateMetric(MetricKind):
    """Share of rows where a condition holds, with a Wilson interval."""

    name = "rate"
    Params = ExprParams

    def row_values(self, rows: list[Row], params: MetricParams) -> list[tuple[Row, float]]:
        """1.0 where the condition holds, 0.0 where it does not; rows where it is null (a
        failed request, a missing score) do not count."""
        assert isinstance(params, ExprParams)
        out: list[tuple[Row, float]] = []
        for row in rows:
            value = evaluate(params.expr, row)
            if value is not None:
                out.append((row, 1.0 if bool(value) else 0.0))
        return out

    def compute(self, rows: list[Row], params: MetricParams, ctx: MetricContext) -> MetricValue:
        values = self.row_values(rows, params)
        n = len(values)
        hits = sum(1 for _, value in values if value)
        low, high = wilson(hits, n, ctx.confidence)
        return MetricValue(
            value=hits / n if n else None,
            n=n,
            ci_low=low,
            ci_high=high,
            confidence=ctx.confidence,
            method="wilson",
            details={"successes": hits, "n_skipped": len(rows) - n},
        )


@register_metric
class MeanMetric(MetricKind):
    """Mean of a value, with a seeded bootstrap interval."""

    name = "mean"
    Params = ExprParams

    def row_values(self, rows: list[Row], params: MetricParams) -> list[tuple[Row, float]]:
        """Each row's numeric value; null, text and NaN do not count (see numeric_values)."""
        assert isinstance(params, ExprParams)
        out: list[tuple[Row, float]] = []
        for row in rows:
            value = number(evaluate(params.expr, row))
            if value is not None:
                out.append((row, value))
        return out

    def compute(self, rows: list[Row], params: MetricParams, ctx: MetricContext) -> MetricValue:
        per_row = self.row_values(rows, params)
        values = [value for _, value in per_row]
        skipped = len(rows) - len(values)
        low, high = bootstrap_ci(
            values,
            np.mean,
            seed=ctx.seed,
            resamples=ctx.bootstrap_resamples,
            confidence=ctx.confidence,
        )
        return MetricValue(
            value=float(np.mean(values)) if values else None,
            n=len(values),
            ci_low=low,
            ci_high=high,
            confidence=ctx.confidence,
            method=f"bootstrap(seed={ctx.seed}, resamples={ctx.bootstrap_resamples})",
            details={"n_skipped": skipped, "std": float(np.std(values)) if values else None},
        )


@register_metric
class QuantileMetric(MetricKind):
    """A quantile of a value (e.g. p95 latency or toxicity), with a bootstrap interval."""

    name = "quantile"
    Params = QuantileParams

    def compute(self, rows: list[Row], params: MetricParams, ctx: MetricContext) -> MetricValue:
        assert isinstance(params, QuantileParams)
        values, skipped = numeric_values(rows, params.expr)
        stat = partial(np.quantile, q=params.q)
        low, high = bootstrap_ci(
            values,
            stat,
            seed=ctx.seed,
            resamples=ctx.bootstrap_resamples,
            confidence=ctx.confidence,
        )
        return MetricValue(
            value=float(np.quantile(values, params.q)) if values else None,
            n=len(values),
            ci_low=low,
            ci_high=high,
            confidence=ctx.confidence,
            method=f"bootstrap(seed={ctx.seed}, resamples={ctx.bootstrap_resamples})",
            details={"n_skipped": skipped, "q": params.q},
        )
