"""The basic metric kinds: rate of a condition, mean and quantile of a value."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, model_validator

from .. import fielddocs
from ..datatypes import Number, WholeNumber
from ._grouping import number
from .base import MetricContext, MetricKind, MetricParams, MetricValue, Row, register_metric
from .expr import condition_parts, evaluate
from .wrongkind import Faults, condition_fault, is_truth, not_a_number

if TYPE_CHECKING:
    # numpy and the intervals are imported where a metric is computed: a suite naming these
    # kinds is loaded before a run's first request, and numpy (about 60 ms) loads while the
    # requests are out (``runner.prefetch``).
    import numpy as np


class ExprParams(MetricParams):
    expr: str
    """Expression evaluated per row (see docs/FORMATS.md)."""


class ScorerError(BaseModel):
    """A scorer's measured error, for a rate corrected for it (Rogan-Gladen). Take the figures
    from the scorer's validity card (``assurance scorers check``) on labels like your data."""

    model_config = fielddocs.model_config(extra="forbid")

    sensitivity: Number = Field(gt=0, le=1)
    """Share of truly positive examples the condition flags."""
    positives: WholeNumber = Field(ge=1)
    """How many truly positive examples the sensitivity was measured on."""
    specificity: Number = Field(gt=0, le=1)
    """Share of truly negative examples the condition leaves unflagged."""
    negatives: WholeNumber = Field(ge=1)
    """How many truly negative examples the specificity was measured on."""

    @model_validator(mode="after")
    def _better_than_chance(self) -> ScorerError:
        if self.sensitivity + self.specificity <= 1:
            raise ValueError(
                "sensitivity + specificity must exceed 1: a scorer no better than chance "
                "cannot be corrected for"
            )
        return self


class RateParams(ExprParams):
    scorer_error: ScorerError | None = None
    """Report the rate corrected for the scorer's error (false positives and misses), with
    an interval that includes the uncertainty of the measured sensitivity and specificity."""


class QuantileParams(ExprParams):
    q: Number = Field(default=0.95, gt=0, lt=1)
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


def counted_rows(
    rows: list[Row], expr: str, kind: str
) -> tuple[list[tuple[Row, float]], MetricValue | None]:
    """The rows a rate, mean or quantile (``kind``) counts, each with its value (1.0/0.0 for a
    rate's condition), and the metric without a figure where a value is of the wrong kind
    (``metrics.wrongkind``: a rate counts true/false or 0/1, a mean or quantile numbers)
    rather than counting it by truthiness or skipping it as missing. The one reading of a row
    for both the figure (``compute``) and its per-row form (``row_values``), so a plot or a
    comparison never counts a value the metric refused."""
    if kind == "rate":
        return _condition_rows(rows, expr)
    out: list[tuple[Row, float]] = []
    faults, valued = Faults(), 0
    for row in rows:
        raw = evaluate(expr, row)
        value = number(raw)
        if value is not None:
            out.append((row, value))
        elif not_a_number(raw):
            faults.add(expr, raw, row.get("case_id"))
        valued += raw is not None
    return out, faults.value(kind, n=valued, skipped=len(rows) - valued)


def _condition_rows(
    rows: list[Row], expr: str
) -> tuple[list[tuple[Row, float]], MetricValue | None]:
    """``counted_rows`` for a rate: each row where the condition is not null (a failed request,
    a missing score), 1.0 where it holds; a value of the whole or of an operand of
    not/and/or that is not true/false (``wrongkind.condition_fault``) leaves no figure."""
    parts, faults = condition_parts(expr), Faults()
    out: list[tuple[Row, float]] = []
    for row in rows:
        value = evaluate(expr, row)
        if parts or (value is not None and not is_truth(value)):
            fault = condition_fault(expr, row, value)
            if fault is not None:
                faults.add(*fault, row.get("case_id"))
        if value is not None:
            out.append((row, 1.0 if bool(value) else 0.0))
    n = len(out)
    return out, faults.value("rate", n=n, skipped=len(rows) - n)


def row_values_of(rows: list[Row], expr: str, kind: str) -> list[tuple[Row, float]] | None:
    """A rate's, mean's or quantile's per-row form (``MetricKind.row_values``): the
    ``counted_rows``, or None where the metric has no figure for a value of the wrong kind."""
    counted, wrong = counted_rows(rows, expr, kind)
    return None if wrong is not None else counted


def case_keys(values: list[tuple[Row, float]]) -> list[object]:
    """The cluster of each row's value: its case (a row without a case id stands alone)."""
    return [row.get("case_id", ("row", i)) for i, (row, _) in enumerate(values)]


@register_metric
class RateMetric(MetricKind):
    """Share of rows where a condition holds, with a Clopper-Pearson interval."""

    name = "rate"
    Params = RateParams
    value_range = (0.0, 1.0)
    expressions = {"expr": "condition"}

    def row_values(self, rows: list[Row], params: MetricParams) -> list[tuple[Row, float]] | None:
        """1.0 where the condition holds, 0.0 where it does not; rows where it is null (a
        failed request, a missing score) do not count; None where the rate has no figure for
        a value that is not true/false (``counted_rows``)."""
        assert isinstance(params, ExprParams)
        return row_values_of(rows, params.expr, "rate")

    def compute(self, rows: list[Row], params: MetricParams, ctx: MetricContext) -> MetricValue:
        assert isinstance(params, RateParams)
        values, wrong = counted_rows(rows, params.expr, "rate")
        if wrong is not None:
            return wrong
        n = len(values)
        hits = sum(1 for _, value in values if value)
        # A case's samples are not independent outcomes (the same prompt, the same model):
        # with several samples per case the interval is clustered by case; with one it is
        # plain Clopper-Pearson.
        from ..stats.intervals import cluster_totals

        sums, sizes = cluster_totals([value for _, value in values], case_keys(values))
        return self.from_counts(hits, n, len(rows) - n, sums, sizes, params, ctx)

    @staticmethod
    def from_counts(
        hits: int,
        n: int,
        skipped: int,
        case_hits: np.ndarray,
        case_sizes: np.ndarray,
        params: MetricParams,
        ctx: MetricContext,
    ) -> MetricValue:
        """The rate from its counts: hits of n, and per case (in order of first appearance)
        its hits and outcomes. A streamed run keeps only these (``metrics.columns``)."""
        import numpy as np

        from ..stats.correction import rogan_gladen
        from ..stats.intervals import clustered_clopper_pearson

        assert isinstance(params, RateParams)
        low, high, method = clustered_clopper_pearson(
            case_hits, case_sizes, ctx.confidence, unit="cases"
        )
        details: dict[str, object] = {"successes": hits, "n_skipped": skipped}
        if n and low is None:  # under one effective outcome: a gate on a bound reads why
            details["no_bound_reason"] = method
        error = params.scorer_error
        if error is None or n == 0:
            return MetricValue(
                value=hits / n if n else None,
                n=n,
                ci_low=low,
                ci_high=high,
                confidence=ctx.confidence,
                method=method,
                details=details,
            )
        # The observed rate's uncertainty is that of its cases, as the plain interval's.
        successes, trials = _effective_counts(hits, n, case_hits, case_sizes, ctx.confidence)
        corrected = rogan_gladen(
            successes,
            trials,
            sensitivity=error.sensitivity,
            positives=error.positives,
            specificity=error.specificity,
            negatives=error.negatives,
            confidence=ctx.confidence,
            seed=ctx.seed,
        )
        assert corrected is not None
        details.update(
            observed=corrected.observed,
            observed_ci_low=low,
            observed_ci_high=high,
            scorer_error=error.model_dump(),
        )
        if int((np.asarray(case_sizes) > 0).sum()) < 2:
            # One case (one outcome, or one case's samples, which are not independent): the
            # corrected interval covered 0.87 at one outcome (benchmarks/small_n_coverage.py).
            # One case's samples have no plain interval either (``one_cluster_reason``).
            why = (
                "no interval: one case; a rate corrected for scorer error needs at least two cases"
            )
            if low is not None:
                why += " (the plain rate's interval is in observed_ci_low and observed_ci_high)"
            details["no_bound_reason"] = why
            return MetricValue(
                corrected.estimate, n, confidence=ctx.confidence, method=why, details=details
            )
        if low is None:
            # Under one effective outcome (``intervals.under_one_outcome``): the corrected
            # interval would rest on the same fraction of an outcome.
            return MetricValue(
                corrected.estimate, n, confidence=ctx.confidence, method=method, details=details
            )
        return MetricValue(
            value=corrected.estimate,
            n=n,
            ci_low=corrected.low,
            ci_high=corrected.high,
            confidence=ctx.confidence,
            method=(
                f"Rogan-Gladen corrected for scorer error (sensitivity {error.sensitivity:g} "
                f"of {error.positives}, specificity {error.specificity:g} of {error.negatives}; "
                f"Jeffreys Monte Carlo interval, seed={ctx.seed}"
                + ("" if trials == n else f"; observed rate at effective n {trials:.3g} of {n}")
                + ")"
            ),
            details=details,
        )


def _effective_counts(
    hits: int, n: int, case_hits: np.ndarray, case_sizes: np.ndarray, confidence: float
) -> tuple[float, float]:
    """Hits and outcomes at the Korn-Graubard effective sample size where cases hold several
    outcomes (``clustered_clopper_pearson``'s n*), else as counted: agreeing samples of one
    case are not several independent outcomes."""
    import numpy as np

    from ..stats.intervals import outcomes_effective_n

    sizes = np.asarray(case_sizes, dtype=float)
    keep = sizes > 0
    if int(keep.sum()) < 2 or bool((sizes[keep] == 1).all()):
        return hits, n
    trials = outcomes_effective_n(np.asarray(case_hits, dtype=float)[keep], sizes[keep], confidence)
    return hits / n * trials, trials


@register_metric
class MeanMetric(MetricKind):
    """Mean of a value, with the interval ``stats.intervals.mean_interval`` chooses."""

    name = "mean"
    Params = ExprParams
    expressions = {"expr": "value"}

    def row_values(self, rows: list[Row], params: MetricParams) -> list[tuple[Row, float]] | None:
        """Each row's numeric value (null and NaN do not count); None where the mean has no
        figure for a value that is no number, text or a list (``counted_rows``)."""
        assert isinstance(params, ExprParams)
        return row_values_of(rows, params.expr, "mean")

    def compute(self, rows: list[Row], params: MetricParams, ctx: MetricContext) -> MetricValue:
        assert isinstance(params, ExprParams)
        per_row, wrong = counted_rows(rows, params.expr, "mean")
        if wrong is not None:
            return wrong
        import numpy as np

        values = [value for _, value in per_row]
        return self.from_values(
            np.asarray(values, dtype=float), len(rows) - len(values), ctx, case_keys(per_row)
        )

    @staticmethod
    def from_values(
        data: np.ndarray, skipped: int, ctx: MetricContext, clusters: Sequence[Hashable] | None
    ) -> MetricValue:
        """The mean of the counted rows' values (in row order), their clusters (cases; None:
        each value its own) and how many rows were skipped."""
        import numpy as np

        from ..stats.intervals import at_scale, mean_interval

        with np.errstate(over="ignore", invalid="ignore"):
            total = float(data.sum())
        if not math.isfinite(total):  # finite values (1e308, 1e308) whose sum is not
            return MetricValue(
                value=None,
                n=int(data.size),
                confidence=ctx.confidence,
                details={
                    "n_skipped": skipped,
                    "reason": "the values' sum overflows (they reach "
                    f"{float(np.max(np.abs(data))):.3g}): no mean can be computed; scale the "
                    "expression down",
                },
            )
        details: dict[str, object] = {
            "n_skipped": skipped,
            "std": at_scale(np.std, data) if data.size else None,
        }
        # A case's samples are one cluster, as for rates (``stats.clustered``).
        low, high, method = mean_interval(
            data,
            seed=ctx.seed,
            resamples=ctx.bootstrap_resamples,
            confidence=ctx.confidence,
            clusters=clusters,
        )
        if data.size and low is None:
            # Too few cases for an interval that covers: the method says why, and a gate on a
            # bound reads it as the reason it has no figure (``engine.judge_gate``).
            details["no_bound_reason"] = method
        return MetricValue(
            value=float(data.mean()) if data.size else None,
            n=int(data.size),
            ci_low=low,
            ci_high=high,
            confidence=ctx.confidence,
            method=method,
            details=details,
        )


@register_metric
class QuantileMetric(MetricKind):
    """A quantile of a value (e.g. p95 latency or toxicity), with a bootstrap interval."""

    name = "quantile"
    Params = QuantileParams
    expressions = {"expr": "value"}

    def compute(self, rows: list[Row], params: MetricParams, ctx: MetricContext) -> MetricValue:
        assert isinstance(params, QuantileParams)
        per_row, wrong = counted_rows(rows, params.expr, "quantile")
        if wrong is not None:
            return wrong
        import numpy as np

        values = np.asarray([value for _, value in per_row], dtype=float)
        return self.from_values(values, len(rows) - len(per_row), params, ctx, case_keys(per_row))

    @staticmethod
    def from_values(
        values: np.ndarray,
        skipped: int,
        params: MetricParams,
        ctx: MetricContext,
        clusters: Sequence[Hashable] | None = None,
    ) -> MetricValue:
        """The quantile of the counted rows' values and how many were skipped; ``clusters``
        (cases; None: each value its own) as for the mean: a case's samples count together."""
        import numpy as np

        from ..stats.intervals import at_scale, quantile_interval

        assert isinstance(params, QuantileParams)
        if clusters is not None and values.size:
            from ..stats.clustered import clustered_quantile_interval

            low, high, caveat = clustered_quantile_interval(
                values, clusters, params.q, ctx.confidence
            )
        else:
            low, high, caveat = quantile_interval(values, params.q, ctx.confidence)
        method = "order statistics (distribution-free)"
        details: dict[str, object] = {"n_skipped": skipped, "q": params.q}
        if values.size and (low is None or high is None):
            details["no_bound_reason"] = caveat  # why, for a gate on the missing bound
        return MetricValue(
            # At scale: the interpolation between -1e308 and 1e308 overflowed to -inf.
            value=at_scale(lambda v: np.quantile(v, params.q), values) if values.size else None,
            n=int(values.size),
            ci_low=low,
            ci_high=high,
            confidence=ctx.confidence,
            method=f"{method} ({caveat})" if caveat else method,
            details=details,
        )
