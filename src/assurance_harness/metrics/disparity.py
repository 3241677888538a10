"""Disparity between groups: fairlearn's ``MetricFrame`` per group, difference or ratio between
groups, an interval that covers the true gap with or without a real one, a bias-corrected
estimate and a permutation test of "no gap" (see :mod:`assurance_harness.stats.disparity`).

Gate semantics (docs/bias-robustness.md): ``{max: X, bound: lower}`` fails only when the gap is
credibly above X (false alarms at most 1 - confidence when there is no gap); ``{max: X, bound:
upper}`` passes only when the gap is credibly below X (equivalence). A gate on the point
estimate fires on noise: the largest of several gaps is biased upward.

Cases are the unit: a case's samples are averaged first, then cases are resampled within each
group (group sizes stay fixed, as in the data), and the same between-group statistic is
recomputed per resample. The point estimate and per-group values come from fairlearn, so they
match what a fairness reviewer would compute with it; the bootstrap uses the same definitions
vectorised in numpy (``MetricFrame`` per resample would take seconds per metric).

Per-group values go to ``details.by_group`` rather than ``groups``: a gate on this metric checks
the disparity itself. ``within: meta.axis`` computes one disparity per axis as ``groups`` (a gate
checks every axis) with the worst as the value; do not use the engine's ``by:`` for that, since
its overall figure would compare groups of different axes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, Literal

import numpy as np
from pydantic import Field

from ..datatypes import WholeNumber
from ..rowkeys import case_key
from ..stats.disparity import (
    GroupSample,
    bias_corrected,
    gap_interval,
    permutation_p_value,
    spread,
)
from ..stats.intervals import (
    BOOTSTRAP_MIN_CASES,
    MIN_MEAN_CASES,
    bootstrap_ci,
    bootstrap_cis,
    clopper_pearson,
    is_unit_interval,
    resample_indices,
    small_sample_mean_interval,
    too_large_reason,
    wilson_mean,
)
from ..stats.levelcounts import bootstrap_sums, few_levels
from ._grouping import covering, number, percentile_interval, within_strata
from .aggregate import counted_rows
from .base import (
    ExpressionRole,
    MetricContext,
    MetricKind,
    MetricParams,
    MetricValue,
    Row,
    register_metric,
)
from .expr import evaluate
from .threads import PARALLEL_MIN_ROWS, Background


class DisparityParams(MetricParams):
    value: str
    """Expression per row: a number for ``statistic: mean`` (``sent.compound``), a condition for
    ``statistic: rate`` (``ref.is_refusal``)."""
    by: str
    """Expression naming the group of a row (``meta.group``)."""
    statistic: Literal["mean", "rate"] = "mean"
    """What is compared between groups: the mean of the value or the rate of the condition."""
    method: Literal["difference", "ratio"] = "difference"
    """``difference``: largest minus smallest group statistic (0 is parity). ``ratio``: smallest
    over largest (1 is parity; the four-fifths rule flags below 0.8). Ratio needs non-negative
    values."""
    relative_to: Literal["between_groups", "overall"] = "between_groups"
    """Compare groups with each other, or each group with the overall statistic (fairlearn's
    ``method='to_overall'``)."""
    min_group_size: WholeNumber = Field(default=1, ge=1)
    """Leave out groups with fewer cases than this (they are listed in ``details``)."""
    within: str | None = None
    """Expression naming a stratum (``meta.axis``): the disparity is computed within each
    stratum, ``groups`` holds one per stratum, and the value is the worst of them."""


def statistic_kind(params: DisparityParams) -> str:
    """The metric kind whose rule reads the disparity's value (``aggregate.counted_rows``)."""
    return "rate" if params.statistic == "rate" else "mean"


_ZERO_RATIO = (
    "every group's mean is 0, so the ratio is 0 / 0: the groups do not differ, but no ratio "
    "measures it (gate on method: difference, or on each group's own figure)"
)
"""Why a ratio disparity of values that are all 0 has no figure."""


@dataclass(frozen=True)
class GroupCases:
    """One group's cases: each case's mean value (cases in order of first appearance), how
    many rows they hold, and whether every case has exactly one."""

    means: np.ndarray
    n_rows: int
    one_sample_each: bool


def _case_values(rows: list[Row], params: DisparityParams) -> dict[str, dict[str, list[float]]]:
    """group -> case_id -> values of that case's samples; a group none of whose rows has a
    value is there with no cases (``from_groups`` says so rather than measure without it)."""
    out: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        group = evaluate(params.by, row)
        if group is None:
            continue
        cases = out[str(group)]
        raw = evaluate(params.value, row)
        if raw is None:
            continue
        value = float(bool(raw)) if params.statistic == "rate" else number(raw)
        if value is None:
            continue
        cases[str(row.get("case_id"))].append(value)
    return out


def _between(stats: np.ndarray, overall: np.ndarray, params: DisparityParams) -> np.ndarray:
    """The between-group statistic over the last axis (groups); vectorised over resamples."""
    if params.relative_to == "between_groups":
        high, low = stats.max(axis=-1), stats.min(axis=-1)
        if params.method == "difference":
            return high - low
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(high > 0, low / high, np.where(low == high, 1.0, np.nan))
    if params.method == "difference":
        return np.abs(stats - overall[..., None]).max(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = stats, overall[..., None]
        ratios = np.where((a > 0) & (b > 0), np.minimum(a / b, b / a), np.where(a == b, 1.0, 0.0))
    return ratios.min(axis=-1)


def gap_ends(means: dict[str, float]) -> tuple[str, str, float, float] | None:
    """The highest and lowest group (the first of equals), the midpoint between their means
    and the gap's width: the two sides a disparity's worst cases come from. None without two
    groups or without a gap."""
    if len(means) < 2:
        return None
    high, low = max(means, key=means.__getitem__), min(means, key=means.__getitem__)
    if means[high] == means[low]:
        return None
    return high, low, (means[high] + means[low]) / 2, means[high] - means[low]


def _why_unbounded(case_means: dict[str, np.ndarray]) -> str:
    """Why the gap between groups of values outside [0, 1] has no upper bound
    (``stats.disparity.gap_interval``): a group of a single case, or groups whose cases all
    agree, so there is no variance to bound a difference by."""
    single = [f"'{g}'" for g, means in case_means.items() if means.size < 2]
    if single:
        which = f"group {single[0]} has" if len(single) == 1 else f"groups {', '.join(single)} have"
        return (
            f"no upper bound on the gap: {which} a single case, so no variance to bound it by "
            "(min_group_size: 2 leaves such groups out)"
        )
    agree = [f"'{g}'" for g, means in case_means.items() if float(np.ptp(means)) == 0]
    return (
        f"no upper bound on the gap: the cases of groups {', '.join(agree)} all have the same "
        "value within each group, so there is no variance to bound their difference by"
    )


@register_metric
class DisparityMetric(MetricKind):
    """Largest between-group difference (or smallest ratio) of a mean or rate, via fairlearn."""

    name = "disparity"
    Params = DisparityParams
    expressions = {"value": "value", "by": "group", "within": "group"}
    compared_groups = ("by",)

    @classmethod
    def expression_roles(cls, params: MetricParams) -> dict[str, ExpressionRole]:
        assert isinstance(params, DisparityParams)
        roles = dict(cls.expressions)
        if params.statistic == "rate":
            roles["value"] = "condition"
        return roles

    shorthand_field = None
    higher_is_better = None

    def compute(self, rows: list[Row], params: MetricParams, ctx: MetricContext) -> MetricValue:
        assert isinstance(params, DisparityParams)
        grouped = [row for row in rows if evaluate(params.by, row) is not None]
        # Each group's statistic is a rate or a mean, so it counts what they count: "false"
        # read as true, or text skipped as missing, made a gap (or hid one) silently. Checked
        # over every stratum at once: a stratum without a figure drops out of the worst.
        wrong = counted_rows(grouped, params.value, statistic_kind(params))[1]
        if wrong is not None:
            return wrong
        if params.within is not None:
            worst = "min" if params.method == "ratio" else "max"
            return within_strata(
                rows, params.within, lambda part: self._compute(part, params, ctx), worst=worst
            )
        return self._compute(rows, params, ctx)

    def group_expression(self, params: MetricParams) -> str | None:
        assert isinstance(params, DisparityParams)
        return params.within  # groups are strata only with ``within``

    def worst_cases(
        self, rows: list[Row], params: MetricParams, *, lower_is_better: bool
    ) -> list[str] | None:
        """Both sides of the gap: the lowest responses of the lowest group and the highest of the
        highest, interleaved, from the stratum with the widest gap first.

        A disparity is symmetric, so the raw value alone (the highest scores overall) would show
        only the favoured group and hide the responses that put the other group behind (BOLD's
        girls' continuations, when the gap is their lower sentiment). Holds for a gap that is too
        wide and a ratio that is too small alike, so the direction is not needed.
        """
        assert isinstance(params, DisparityParams)
        strata: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            stratum = evaluate(params.within, row) if params.within is not None else ""
            if stratum is not None:
                strata[str(stratum)].append(row)
        ranked: list[tuple[float, list[str]]] = []
        for part in strata.values():
            by_case = _case_values(part, params)
            ends = gap_ends(
                {
                    g: float(np.mean([np.mean(v) for v in cases.values()]))
                    for g, cases in by_case.items()
                    if len(cases) >= params.min_group_size
                }
            )
            if ends is None:
                continue
            high, low, middle, width = ends
            sides: dict[str, list[tuple[float, str]]] = {high: [], low: []}
            for row in part:
                group, raw = evaluate(params.by, row), evaluate(params.value, row)
                value = float(bool(raw)) if params.statistic == "rate" else number(raw)
                if str(group) not in sides or raw is None or value is None:
                    continue
                key = case_key(row["case_id"], row["sample"])
                if str(group) == high and value > middle:
                    sides[high].append((-value, key))
                elif str(group) == low and value < middle:
                    sides[low].append((value, key))
            lows, highs = sorted(sides[low]), sorted(sides[high])
            keys = [
                k for pair in zip_longest(lows, highs) for item in pair if item for k in item[1:]
            ]
            ranked.append((width, keys))
        ranked.sort(key=lambda item: -item[0])
        return [key for _, keys in ranked for key in keys]

    def _compute(self, rows: list[Row], params: DisparityParams, ctx: MetricContext) -> MetricValue:
        by_case = _case_values(rows, params)
        # One sample per case is the usual shape: its value is its mean (np.mean of a short list
        # costs microseconds, which add up over thousands of cases and 28 disparities a run).
        summary = {
            g: GroupCases(
                np.array([v[0] if len(v) == 1 else np.mean(v) for v in cases.values()]),
                sum(len(v) for v in cases.values()),
                all(len(v) == 1 for v in cases.values()),
            )
            for g, cases in by_case.items()
        }
        return self.from_groups(summary, len(rows), params, ctx)

    def from_groups(
        self,
        cases_of: dict[str, GroupCases],
        n_input: int,
        params: DisparityParams,
        ctx: MetricContext,
    ) -> MetricValue:
        """The disparity from each group's case means (groups in order of first appearance),
        of ``n_input`` rows: what a streamed run keeps (``metrics.columns``)."""
        empty = sorted(g for g, cases in cases_of.items() if cases.means.size == 0)
        small = sorted(
            g for g, cases in cases_of.items() if 0 < cases.means.size < params.min_group_size
        )
        groups = sorted(g for g in cases_of if g not in small and g not in empty)
        n_rows = sum(cases_of[g].n_rows for g in groups)
        details: dict[str, Any] = {
            "statistic": params.statistic,
            "method": params.method,
            "relative_to": params.relative_to,
            "excluded_small_groups": small,
            "n_cases": sum(cases_of[g].means.size for g in groups),
            "n_skipped": n_input - n_rows,
        }
        if empty:
            # Its rows failed or were scored null (a content filter refusing every prompt about
            # one group): a gap measured without it passed a bias gate on the very group the
            # deployment failed. min_group_size leaves out groups too small to judge, by choice;
            # this one was asked about and gave no answer.
            details["groups_without_data"] = empty
            named = ", ".join(f"'{g}'" for g in empty)
            details["reason"] = (
                f"group {named} has no value on any of its rows (failed requests or null "
                f"scores of '{params.value}'), so the gap between groups cannot be measured; "
                "fix the cause and run again, or filter the group out with where:"
                if len(empty) == 1
                else f"groups {named} have no value on any of their rows (failed requests or "
                f"null scores of '{params.value}'), so the gap between groups cannot be "
                "measured; fix the cause and run again, or filter the groups out with where:"
            )
            return MetricValue(value=None, n=n_rows, confidence=ctx.confidence, details=details)
        if len(groups) < 2:
            details["reason"] = "fewer than two groups with data"
            return MetricValue(value=None, n=n_rows, confidence=ctx.confidence, details=details)

        case_means = {g: cases_of[g].means for g in groups}
        huge = too_large_reason(np.concatenate(list(case_means.values())))
        if huge is not None:  # the groups' variances overflow: [-inf, inf], or a crash
            details["reason"] = huge
            return MetricValue(value=None, n=n_rows, confidence=ctx.confidence, details=details)
        negative = sum(int((m < 0).sum()) for m in case_means.values())
        if params.method == "ratio" and negative:
            # No figure, said why: stopping here lost the run's other figures, and the fix
            # (a changed suite) cannot be resumed into; a new run reuses the cached answers.
            details["reason"] = (
                f"method 'ratio' needs non-negative values, and {negative} case(s) of "
                f"'{params.value}' are negative: use method: difference for signed scores "
                "such as sentiment"
            )
            return MetricValue(value=None, n=n_rows, confidence=ctx.confidence, details=details)
        if params.method == "ratio" and not any(m.any() for m in case_means.values()):
            # fairlearn's NaN was the value, and a 'min: 0.8' gate passed on it.
            details["reason"] = _ZERO_RATIO
            return MetricValue(value=None, n=n_rows, confidence=ctx.confidence, details=details)
        samples = [GroupSample(case_means[g]) for g in groups]
        between = params.relative_to == "between_groups"
        if between:
            # The permutation test's shufflings (numpy, mostly without the GIL) on another
            # thread while fairlearn and the bootstraps run here: the same seed, the same value.
            p_value = Background(
                lambda: permutation_p_value(
                    samples,
                    statistic=lambda means: spread(means, params.method),
                    larger_is_worse=params.method != "ratio",
                    seed=ctx.seed,
                    permutations=ctx.bootstrap_resamples,
                ),
                parallel=details["n_cases"] >= PARALLEL_MIN_ROWS,
            )
        from fairlearn.metrics import MetricFrame

        labels = np.concatenate([[g] * len(case_means[g]) for g in groups])
        values = np.concatenate([case_means[g] for g in groups])
        frame = MetricFrame(
            metrics=lambda y_true, y_pred: float(np.mean(y_pred)),
            y_true=values,
            y_pred=values,
            sensitive_features=labels,
        )
        fl_method = "between_groups" if between else "to_overall"
        if params.method == "difference":
            point = float(frame.difference(method=fl_method))
        else:
            point = float(frame.ratio(method=fl_method))

        resampled, resamples = self._bootstrap(case_means, params, ctx)
        if between:
            low, high = gap_interval(samples, method=params.method, confidence=ctx.confidence)
            pairs = len(groups) * (len(groups) - 1) // 2
            kind = (
                "log-ratio"
                if params.method == "ratio"
                else (
                    "Newcombe"
                    if is_unit_interval(np.concatenate(list(case_means.values())))
                    else "Welch"
                )
            )
            method = f"simultaneous {kind} intervals over {pairs} group pairs (Bonferroni)"
            if high is None:
                details["no_bound_reason"] = _why_unbounded(case_means)
            details["p_value_no_gap"] = p_value.result()
        else:
            low, high = covering(point, percentile_interval(resampled, ctx.confidence))
            method = (
                f"stratified bootstrap over cases (seed={ctx.seed}, resamples={resamples}; "
                "approximate: no coverage guarantee for gaps to the overall figure)"
            )
            fewest = min(groups, key=lambda g: case_means[g].size)
            if case_means[fewest].size < MIN_MEAN_CASES:
                # A bootstrap cannot vary a group of one case, and a few cases' percentile
                # interval covers 0.4-0.85 of the time (benchmarks/small_n_coverage.py).
                size = case_means[fewest].size
                low = high = None
                method = details["no_bound_reason"] = (
                    f"no interval: group '{fewest}' has "
                    + ("one case" if size == 1 else f"{size} cases")
                    + "; the bootstrap of gaps to the overall figure needs at least "
                    f"{MIN_MEAN_CASES} cases a group"
                )
        floor, ceiling = (0.0, 1.0) if params.method == "ratio" else (0.0, math.inf)
        details["bias_corrected"] = bias_corrected(point, resampled, low=floor, high=ceiling)
        by_group = frame.by_group
        # The groups' bootstrap intervals in one call: groups of one size share their draws.
        resampled_groups = [g for g in groups if self._bootstrapped(cases_of[g], params)]
        intervals = bootstrap_cis(
            [cases_of[g].means for g in resampled_groups],
            np.mean,
            seed=ctx.seed,
            resamples=ctx.bootstrap_resamples,
            confidence=ctx.confidence,
        )
        interval_of = dict(zip(resampled_groups, intervals, strict=True))
        details.update(
            {
                "by_group": {
                    g: self._group_value(g, cases_of[g], params, ctx, interval_of.get(g)).to_dict()
                    for g in groups
                },
                "max_group": str(by_group.idxmax()),
                "min_group": str(by_group.idxmin()),
                "overall": float(frame.overall),
                "engine": "fairlearn.MetricFrame",
            }
        )
        return MetricValue(
            value=point,
            n=n_rows,
            ci_low=low,
            ci_high=high,
            confidence=ctx.confidence,
            method=method,
            details=details,
        )

    @staticmethod
    def _bootstrap(
        case_means: dict[str, np.ndarray], params: DisparityParams, ctx: MetricContext
    ) -> tuple[np.ndarray, int]:
        """The between-group statistic on stratified case resamples (for the bias correction
        and the to-overall interval)."""
        rng = np.random.default_rng(ctx.seed)
        resamples = ctx.bootstrap_resamples
        stats = np.empty((resamples, len(case_means)))
        totals = np.zeros(resamples)
        count = 0
        for j, values in enumerate(case_means.values()):
            levels = few_levels(values)
            if levels is not None:  # by how often each value is drawn: the same resamples
                sums = bootstrap_sums(levels, rng, resamples)
            else:
                # In blocks (one random stream, the same draws as one resamples x n array), so
                # a 100k-case run holds a few MB here, not 2 x resamples x n x 8 bytes.
                sums = np.concatenate(
                    [
                        values[idx].sum(axis=1)
                        for idx in resample_indices(rng, values.size, resamples)
                    ]
                )
            stats[:, j] = sums / values.size
            totals += sums
            count += values.size
        return _between(stats, totals / count, params), resamples

    @staticmethod
    def _bootstrapped(cases: GroupCases, params: DisparityParams) -> bool:
        """Whether a group's interval is a bootstrap (``_group_value``): values outside [0, 1]
        over at least ``BOOTSTRAP_MIN_CASES`` cases, as for the mean metric."""
        if params.statistic == "rate" and cases.one_sample_each:
            return False
        return not is_unit_interval(cases.means) and cases.means.size >= BOOTSTRAP_MIN_CASES

    @staticmethod
    def _group_value(
        group: str,
        cases: GroupCases,
        params: DisparityParams,
        ctx: MetricContext,
        interval: tuple[float | None, float | None] | None = None,
    ) -> MetricValue:
        """A group's figure; ``interval``: its bootstrap interval, when already drawn."""
        means, n_rows = cases.means, cases.n_rows
        if params.statistic == "rate" and cases.one_sample_each:
            hits = round(float(means.sum()))
            low, high = clopper_pearson(hits, means.size, ctx.confidence)
            return MetricValue(
                float(means.mean()),
                n_rows,
                low,
                high,
                ctx.confidence,
                "clopper-pearson",
                details={"group": group, "successes": hits},
            )
        if is_unit_interval(means):
            low, high = wilson_mean(float(means.mean()), means.size, ctx.confidence)
            method = "wilson (case means in [0, 1], conservative)"
        elif means.size < BOOTSTRAP_MIN_CASES:  # the mean metric's rule for few cases
            low, high, method = small_sample_mean_interval(
                means, np.ones(means.size), ctx.confidence
            )
        else:
            low, high = interval or bootstrap_ci(
                means,
                np.mean,
                seed=ctx.seed,
                resamples=ctx.bootstrap_resamples,
                confidence=ctx.confidence,
            )
            method = f"bootstrap over cases (seed={ctx.seed}, resamples={ctx.bootstrap_resamples})"
        return MetricValue(
            float(means.mean()),
            n_rows,
            low,
            high,
            ctx.confidence,
            method,
            details={"group": group, "n_cases": int(means.size)},
        )
