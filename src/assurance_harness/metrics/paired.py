"""Paired deltas: the same template (or the same source prompt) answered for different groups
(or under different perturbations), compared within each pair.

Pairing removes the variation between templates, so a small systematic difference between
groups shows up with far fewer cases than an unpaired comparison needs. For each pair key
(``meta.template``) and group, samples are averaged; each group's delta is its value minus the
``reference`` group's value in the same pair, or minus the pair's mean over groups when there is
no reference. ``groups`` holds each group's mean delta with a t interval over pairs; the
overall ``value`` (and interval) is that of the group furthest from its reference, with its sign,
so ``max``/``min`` gates read the same way on the overall value and on every group: ``max: 0.05``
fails on any group pushed up by more than 0.05, ``min: -0.1`` on any pulled down by more.

Robustness deltas use the same kind: ``pair_by: meta.source_id, group: meta.perturbation,
reference: none`` gives, per operator, the mean change in (say) toxicity caused by it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection
from typing import Any

import numpy as np
from pydantic import Field

from ..datatypes import WholeNumber
from ..rowkeys import case_key
from ..stats._special import stdtrit
from ..stats.intervals import cochran_caveat, too_large_reason
from ._grouping import is_unchanged, number, within_strata
from .aggregate import counted_rows
from .base import MetricContext, MetricKind, MetricParams, MetricValue, Row, register_metric
from .expr import evaluate


class PairedParams(MetricParams):
    value: str
    """Numeric expression per row (``sent.compound``, ``tox.toxicity``, ``ref.is_refusal``)."""
    pair_by: str = "meta.template"
    """Expression giving the pair key: rows with the same key are compared."""
    group: str = "meta.group"
    """Expression giving the group (or operator) within a pair."""
    reference: str | None = None
    """Group every other group is compared with (``none`` for perturbation originals). Default:
    each group is compared with the mean of its pair."""
    min_pairs: WholeNumber = Field(default=1, ge=1)
    """Groups with fewer pairs than this are left out (listed in ``details``)."""
    within: str | None = None
    """Expression naming a stratum (``meta.axis``): deltas are computed within each stratum,
    ``groups`` holds each stratum's furthest group's signed mean delta, and the value is the one
    furthest from zero."""
    skip_unchanged: bool = True
    """Leave out variants their perturbation operator did not change (``perturbation_changed:
    false``), as ``flip-rate`` does: each is its original sent again, a delta of zero that
    tested nothing and pulls the operator's mean delta toward zero. Counted in
    ``details.n_unchanged``."""


_DIGITS = 12
"""Decimal places kept in each delta: far below any score's resolution, far above float noise."""


def _t_interval(
    values: np.ndarray, level: float, group: str
) -> tuple[float | None, float | None, str | None]:
    """Student t interval for the mean of ``values`` (a group's deltas over pairs): (low, high,
    why there is none). None from fewer than two pairs, and None where every pair has the same
    delta: a zero-width interval would let a ``max:`` gate on its bound pass on pairs that
    cannot show how far the delta may lie from what they all happened to give."""
    if values.size < 2:
        return None, None, f"no interval: group '{group}' has one pair; a t interval needs two"
    mean = float(values.mean())
    se = float(values.std(ddof=1)) / math.sqrt(values.size)
    if se == 0:
        return (
            None,
            None,
            f"no interval: all {values.size} pairs of group '{group}' have the same delta, "
            "so there is no variance to bound it by",
        )
    half = float(stdtrit(values.size - 1, 0.5 + level / 2)) * se  # = scipy.stats.t.ppf
    return mean - half, mean + half, None


@register_metric
class PairedDeltaMetric(MetricKind):
    """Per-group mean paired delta, and the largest absolute one overall."""

    name = "paired"
    Params = PairedParams
    expressions = {"value": "value", "pair_by": "group", "group": "group", "within": "group"}
    compared_groups = ("group",)
    shorthand_field = None
    higher_is_better = None

    def compute(self, rows: list[Row], params: MetricParams, ctx: MetricContext) -> MetricValue:
        assert isinstance(params, PairedParams)
        rows, unchanged = changed_rows(rows, params)
        return with_unchanged(self._compute_changed(rows, params, ctx), unchanged)

    def _compute_changed(
        self, rows: list[Row], params: PairedParams, ctx: MetricContext
    ) -> MetricValue:
        # A delta is a difference of means, so the value counts what a mean counts: text
        # skipped as missing dropped its pair and gave a delta without it. Checked over every
        # stratum at once, as a disparity checks its groups.
        keyed = [row for row in rows if _keyed(row, params)]
        wrong = counted_rows(keyed, params.value, "paired")[1]
        if wrong is not None:
            return wrong
        if params.within is not None:
            return within_strata(
                rows, params.within, lambda part: self._compute(part, params, ctx), worst="abs"
            )
        return self._compute(rows, params, ctx)

    def group_expression(self, params: MetricParams) -> str | None:
        assert isinstance(params, PairedParams)
        # with ``within``, the groups are the strata; otherwise the compared groups
        return params.within or params.group

    def worst_cases(
        self, rows: list[Row], params: MetricParams, *, lower_is_better: bool
    ) -> list[str] | None:
        """The responses furthest from their pair's reference in the failing direction.

        A delta metric fails because some responses moved relative to their pair (the same
        template for another group, or the unperturbed original), so those are the cases to
        show; the raw value alone would list originals and groups that did not move at all.
        """
        assert isinstance(params, PairedParams)
        rows = changed_rows(rows, params)[0]
        strata: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            stratum = evaluate(params.within, row) if params.within is not None else ""
            if stratum is not None:
                strata[str(stratum)].append(row)
        scored: list[tuple[float, str]] = []
        for part in strata.values():
            cells, _ = _cells(part, params)
            bases = {key: _base(cell, params.reference) for key, cell in cells.items()}
            for row in part:
                key, group = evaluate(params.pair_by, row), evaluate(params.group, row)
                value = number(evaluate(params.value, row))
                if key is None or value is None or str(group) == params.reference:
                    continue
                base = bases.get(str(key))
                if base is None:
                    continue
                delta = round(value - base, _DIGITS)
                badness = delta if lower_is_better else -delta
                if badness > 0:
                    scored.append((badness, case_key(row["case_id"], row["sample"])))
        scored.sort(key=lambda item: -item[0])
        return [key for _, key in scored]

    def _compute(self, rows: list[Row], params: PairedParams, ctx: MetricContext) -> MetricValue:
        cells, skipped = _cells(rows, params)
        named = {str(evaluate(params.group, row)) for row in rows if _keyed(row, params)}
        return self.from_cells(cells, skipped, len(rows), params, ctx, named=named)

    def from_cells(
        self,
        cells: dict[str, dict[str, list[float]]],
        skipped: int,
        n_input: int,
        params: PairedParams,
        ctx: MetricContext,
        *,
        named: Collection[str] = (),
    ) -> MetricValue:
        """The value from each pair's values per group (groups in order of first appearance)
        and the count of rows skipped, of ``n_input``: a streamed run passes each cell's mean
        alone (``metrics.pairedcolumns``), which means to the same float. ``named``: every
        group a row with a pair key names, valued or not (``_no_value``)."""
        keys = sorted(cells)
        means = {
            k: {g: float(v[0] if len(v) == 1 else np.mean(v)) for g, v in cells[k].items()}
            for k in keys
        }
        groups = sorted({g for k in keys for g in means[k]} - {params.reference})
        huge = too_large_reason(np.array([m for k in keys for m in means[k].values()]))
        # delta[g] aligned with keys; NaN where the pair lacks g (or the reference).
        delta = np.full((len(groups), len(keys)), np.nan)
        for j, key in enumerate(keys):
            cell = means[key]
            base = _base(cells[key], params.reference)
            if base is None:
                continue
            for i, group in enumerate(groups):
                if group in cell:
                    # Rounded: groups answered identically must show a delta of exactly 0,
                    # not floating-point residue (9e-18) that reports print and name a worst
                    # group by.
                    delta[i, j] = round(cell[group] - base, _DIGITS)
        counts = np.sum(~np.isnan(delta), axis=1)
        kept = [i for i, c in enumerate(counts) if c >= params.min_pairs]
        dropped = [groups[i] for i in range(len(groups)) if i not in kept]
        details: dict[str, Any] = {
            "reference": params.reference or "pair mean",
            "n_pairs": int(np.sum(np.any(~np.isnan(delta), axis=0))) if groups else 0,
            "n_skipped": skipped,
            "excluded_groups": dropped,
        }
        n_rows = n_input - skipped
        empty = _no_value(named, groups, params)
        if empty:
            details["groups_without_data"] = empty
            details["reason"] = _no_value_reason(empty, params.value)
            return MetricValue(None, n_rows, confidence=ctx.confidence, details=details)
        if not kept:
            details["reason"] = "no complete pairs"
            return MetricValue(None, n_rows, confidence=ctx.confidence, details=details)
        if huge is not None:  # deltas and their variance overflow: [-inf, inf] intervals
            details["reason"] = huge
            return MetricValue(None, n_rows, confidence=ctx.confidence, details=details)
        delta = delta[kept]
        names = [groups[i] for i in kept]
        group_means = np.nanmean(delta, axis=1)
        # Student t intervals over pairs, simultaneous over the groups compared (Bonferroni):
        # the figure a gate reads is the furthest of several groups, so each interval must hold
        # jointly or the furthest group's crosses a limit by chance (a percentile bootstrap over
        # 12 pairs, one group at a time, did: 12% false alarms at the bias suite's shape).
        level = 1 - (1 - ctx.confidence) / len(names)
        method = f"t interval over pairs, simultaneous over {len(names)} groups (Bonferroni)"
        # Under Cochran's rule the t interval of a group's deltas under-covers (skewed changes
        # over 5 pairs: 0.898, benchmarks/small_n_coverage.py): it says so, as a mean's does.
        caveat = next(
            (
                why
                for i in range(len(names))
                if (why := cochran_caveat(delta[i][~np.isnan(delta[i])])) is not None
            ),
            None,
        )
        if caveat is not None:
            method = f"{method} ({caveat})"
        per_group: dict[str, MetricValue] = {}
        for i, name in enumerate(names):
            low, high, why = _t_interval(delta[i][~np.isnan(delta[i])], level, name)
            group_details: dict[str, Any] = {"mean_abs_delta": float(np.nanmean(np.abs(delta[i])))}
            if why is not None:
                group_details["no_bound_reason"] = why
            per_group[name] = MetricValue(
                float(group_means[i]),
                int(counts[kept[i]]),
                low,
                high,
                ctx.confidence,
                method,
                details=group_details,
            )
        worst = int(np.argmax(np.abs(group_means)))
        top = per_group[names[worst]]
        details.update(
            {
                "worst_group": names[worst],
                "max_abs_delta": float(abs(group_means[worst])),
                "statistic": "signed mean delta of the group furthest from its reference",
            }
        )
        if "no_bound_reason" in top.details:  # the overall figure is that group's
            details["no_bound_reason"] = top.details["no_bound_reason"]
        return MetricValue(
            top.value,
            n_rows,
            top.ci_low,
            top.ci_high,
            ctx.confidence,
            method,
            groups=per_group,
            details=details,
        )


def _no_value(named: Collection[str], valued: list[str], params: PairedParams) -> list[str]:
    """Groups some row with a pair key names but none gives a value (every request about
    them failed, or their scorer wrote null), the reference aside: left out, the deltas of the
    groups left passed a gate, a bias gate passing on the very group the deployment failed.
    ``min_pairs`` leaves out groups with too few pairs, by choice; these were asked about and
    gave no answer (as ``disparity``'s ``groups_without_data``)."""
    return sorted(set(named) - set(valued) - {params.reference})


def _no_value_reason(empty: list[str], value: str) -> str:
    named = ", ".join(f"'{g}'" for g in empty)
    which, their = ("group", "its") if len(empty) == 1 else ("groups", "their")
    return (
        f"{which} {named} {'has' if len(empty) == 1 else 'have'} no value on any of {their} "
        f"rows (failed requests or null scores of '{value}'), so {their} delta cannot be "
        f"measured; fix the cause and run again, or filter the {which} out with where:"
    )


def changed_rows(rows: list[Row], params: PairedParams) -> tuple[list[Row], int]:
    """The rows a delta reads, and how many variants ``skip_unchanged`` left out."""
    if not params.skip_unchanged:
        return rows, 0
    kept = [row for row in rows if not is_unchanged(row)]
    return kept, len(rows) - len(kept)


def with_unchanged(value: MetricValue, unchanged: int) -> MetricValue:
    """``value`` with the variants left out as unchanged counted (only where there are any, so
    other summaries keep their shape), and said where they leave no pair."""
    if unchanged:
        value.details["n_unchanged"] = unchanged
        if value.value is None and value.details.get("reason") == "no complete pairs":
            value.details["reason"] = (
                f"no complete pairs: {unchanged} variant(s) were left unchanged by their "
                "operator (skip_unchanged: true leaves them out)"
            )
    return value


def _keyed(row: Row, params: PairedParams) -> bool:
    """Whether a row has the pair key and group a delta reads its value under."""
    return evaluate(params.pair_by, row) is not None and evaluate(params.group, row) is not None


def _cells(rows: list[Row], params: PairedParams) -> tuple[dict[str, dict[str, list[float]]], int]:
    """Values per pair key and group (samples kept apart), and the number of rows skipped."""
    cells: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    skipped = 0
    for row in rows:
        key, group = evaluate(params.pair_by, row), evaluate(params.group, row)
        value = number(evaluate(params.value, row))
        if key is None or group is None or value is None:
            skipped += 1
            continue
        cells[str(key)][str(group)].append(value)
    return cells, skipped


def _base(cell: dict[str, list[float]], reference: str | None) -> float | None:
    """What a pair's groups are compared with: the reference group's mean, or the mean of the
    group means; None when the pair lacks the reference (or has a single group)."""
    if reference is not None:
        return float(np.mean(cell[reference])) if reference in cell else None
    if len(cell) < 2:
        return None
    return float(np.mean([float(np.mean(v)) for v in cell.values()]))
