"""Rows into pairs and strata, and values read as numbers, for the bias, robustness and
aggregate metrics (formerly ``_pairs.py``).

Robustness metrics compare each perturbed response with the response to its original (same
``source_id``); counterfactual metrics compare responses to the same template across groups.
Both need rows grouped by a key and values read through the expression language.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .base import MetricValue, Row
from .expr import evaluate

if TYPE_CHECKING:  # imported where used: a suite is loaded before numpy is needed
    import numpy as np


def number(value: Any) -> float | None:
    """A numeric value, or None for missing/non-numeric (booleans count as 0/1). NaN and the
    infinities are no figure either: a mean or a gap over one is no number a summary can hold
    (strict JSON has none), so they are skipped and counted as NaN always was. So is an
    integer no float can hold (``int(response)`` of a 400-digit answer): it overflowed."""
    if value is None or isinstance(value, str):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    # + 0.0 makes -0.0 (a rounded small negative) 0.0: "[-0, 1]" read as a sign error.
    return result + 0.0 if math.isfinite(result) else None


@dataclass
class OriginalPairs:
    """Variant rows matched to their original's row (same source, same sample if present)."""

    pairs: list[tuple[Row, Row]] = field(default_factory=list)
    unpaired: list[Row] = field(default_factory=list)
    n_originals: int = 0
    n_unchanged: int = 0
    n_failed_originals: int = 0
    """Original rows whose request failed: their variants are unpaired for that, not for a
    missing original."""
    n_unpaired_failed: int = 0
    """Of ``unpaired``, the variants whose own original (same source, same sample) is a failed
    request: left out for that failure, not compared with another sample's original."""
    n_failed_variants: int = 0
    """Variant rows (naming a source) whose request failed: in no pair, and counted nowhere
    else."""


def is_unchanged(row: Row) -> bool:
    """A variant its perturbation operator left as it was (``perturbation_changed: false``):
    its original sent again, so a comparison with that original tests nothing."""
    return (row.get("metadata") or {}).get("perturbation_changed") is False


def _original_key(row: Row, source: str) -> tuple[str, int]:
    """The (source, sample) an original row answers: its source, or its case id where the
    source expression is null; a row without a ``sample`` is sample 0."""
    key = evaluate(source, row)
    key = row.get("case_id") if key is None else key
    return str(key), int(row.get("sample") or 0)


def pair_with_originals(
    rows: list[Row],
    *,
    source: str,
    original: str,
    skip_unchanged: bool = True,
    lowest_sample: bool = False,
) -> OriginalPairs:
    """Match each variant row to the original row of its source case and its own sample.

    Variants whose operator changed nothing (``perturbation_changed: false``, e.g. a synonym
    operator that found no word in its table) are left out by default: they would count as
    perfectly robust without having been tested.

    A variant whose own sample has no original row is unpaired, never compared with another
    sample's original: that is an answer it was never paired with, so the comparison would be
    one the run did not make. The runner sends every case, original or variant, the same
    ``samples`` requests (``runner.run.RequestPlan``), so an original is missing for a sample
    only where its request failed (``n_unpaired_failed`` counts those variants) or a ``where``
    left it out; rows without a ``sample`` are sample 0 on both sides. ``lowest_sample``: such a
    variant takes its source's original of the lowest sample answered, as runs before
    2026-12-08 paired it (only to measure their summaries again, ``register.summary_check``).
    """
    originals: dict[str, dict[int, Row]] = defaultdict(dict)
    failed: set[tuple[str, int]] = set()
    variants: list[Row] = []
    failed_originals = failed_variants = 0
    for row in rows:
        if row.get("error"):
            is_original = bool(evaluate(original, row))
            failed_originals += is_original
            if is_original:
                failed.add(_original_key(row, source))
            # a failed row that names no source is no variant (a plain case beside them)
            failed_variants += not is_original and evaluate(source, row) is not None
            continue
        if evaluate(original, row):
            key, sample = _original_key(row, source)
            originals[key][sample] = row
        else:
            variants.append(row)
    out = OriginalPairs(
        n_originals=sum(len(v) for v in originals.values()),
        n_failed_originals=failed_originals,
        n_failed_variants=failed_variants,
    )
    if skip_unchanged:
        kept = [r for r in variants if not is_unchanged(r)]
        out.n_unchanged = len(variants) - len(kept)
        variants = kept
    for row in variants:
        key = evaluate(source, row)
        sample = int(row.get("sample") or 0)
        candidates = originals.get(str(key)) if key is not None else None
        match = candidates.get(sample) if candidates else None
        if match is None and candidates and lowest_sample:
            match = candidates[min(candidates)]
        if match is None:
            out.unpaired.append(row)
            out.n_unpaired_failed += key is not None and (str(key), sample) in failed
            continue
        out.pairs.append((match, row))
    return out


def percentile_interval(stats: np.ndarray, confidence: float) -> tuple[float | None, float | None]:
    """Percentile interval of bootstrap statistics (NaNs ignored)."""
    import numpy as np

    finite = stats[np.isfinite(stats)]
    if finite.size == 0:
        return None, None
    alpha = (1 - confidence) / 2
    low, high = np.quantile(finite, [alpha, 1 - alpha])
    return float(low), float(high)


def within_strata(
    rows: list[Row],
    within: str,
    compute: Callable[[list[Row]], MetricValue],
    *,
    worst: str = "max",
) -> MetricValue:
    """Compute a metric separately in each stratum (e.g. each axis) and report the worst.

    ``groups`` holds one value per stratum, so a gate checks every stratum; the overall value,
    interval and method are those of the worst stratum (largest; smallest for ratios; furthest
    from zero for signed deltas), and ``n`` the rows the strata's figures counted
    (docs/FORMATS.md). Where a stratum has no figure, neither has the metric: its worst is
    unknown (``_worst_unknown``). Unlike the engine's ``by:``, no figure mixes
    strata: a disparity between a gender group and a religion group would mean nothing.
    """
    strata: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        key = evaluate(within, row)
        if key is not None:
            strata[str(key)].append(row)
    groups = {name: compute(members) for name, members in sorted(strata.items())}
    total = sum(len(m) for m in strata.values())
    return worst_stratum(groups, within, n_rows=total, n_input=len(rows), worst=worst)


def worst_stratum(
    groups: dict[str, MetricValue],
    within: str,
    *,
    n_rows: int,
    n_input: int,
    worst: str = "max",
) -> MetricValue:
    """``within_strata``'s value from each stratum's (strata sorted by name; ``n_rows`` in
    them, of ``n_input``): a streamed run computes the strata from columns
    (``metrics.columns``) and must report them as the rows would. ``n`` is the sum of the
    strata's own: a row in a stratum that was skipped (a failed request, a null value, no
    group) or whose stratum has no figure went into no figure, so counting it would claim
    evidence the value does not rest on."""
    scored = {k: v for k, v in groups.items() if v.value is not None}
    if not scored:
        return MetricValue(
            None,
            0,
            groups=groups or None,
            details={"within": within, "reason": "no stratum has a value"},
        )

    def badness(name: str) -> float:
        value = float(scored[name].value)  # type: ignore[arg-type]
        return {"max": value, "min": -value, "abs": abs(value)}[worst]

    name = max(scored, key=badness)
    top = scored[name]
    unmeasured = [k for k, v in groups.items() if v.value is None]
    if unmeasured:
        return _worst_unknown(groups, within, unmeasured, top, name, n_rows)
    details: dict[str, Any] = {
        "within": within,
        "worst_stratum": name,
        "n_skipped": n_input - n_rows,
        # what n was before it counted only the strata's figures' rows: a run recorded then
        # is checked against it (``register.summary_check``)
        "n_in_strata": n_rows,
        "worst_details": top.details,
    }
    if "no_bound_reason" in top.details:  # a gate on the worst stratum's bound says why
        details["no_bound_reason"] = f"stratum '{name}': {top.details['no_bound_reason']}"
    return MetricValue(
        top.value,
        sum(v.n for v in scored.values()),
        top.ci_low,
        top.ci_high,
        top.confidence,
        top.method,
        groups=groups,
        details=details,
    )


def _worst_unknown(
    groups: dict[str, MetricValue],
    within: str,
    unmeasured: list[str],
    top: MetricValue,
    name: str,
    n_rows: int,
) -> MetricValue:
    """No figure: the value claims the worst stratum, and a stratum without a figure might be
    it. The worst of the others let a gate on the overall figure (``each_group: false``) pass
    while a stratum went unmeasured. ``measured_worst`` keeps that figure, which runs made
    before 2026-12-06 published, so ``register.summary_check`` can tell them from an edit."""
    first = unmeasured[0]
    why = groups[first].details.get("no_data_reason") or groups[first].details.get("reason")
    more = f" (and {len(unmeasured) - 1} other)" if len(unmeasured) > 1 else ""
    reason = (
        f"stratum '{first}'{more} has no figure"
        + (f" ({why})" if why else "")
        + ": the worst stratum is unknown, so the metric has none (each stratum's figure is "
        "in its groups)"
    )
    measured_worst = {
        "stratum": name,
        "value": top.value,
        "n": sum(v.n for v in groups.values() if v.value is not None),
        "n_in_strata": n_rows,
        "ci_low": top.ci_low,
        "ci_high": top.ci_high,
        "method": top.method,
    }
    return MetricValue(
        None,
        0,
        groups=groups,
        details={
            "within": within,
            "strata_without_figure": unmeasured,
            "measured_worst": measured_worst,
            "reason": reason,
        },
    )


def covering(
    value: float | None, interval: tuple[float | None, float | None]
) -> tuple[float | None, float | None]:
    """Extend an interval so that it contains the point estimate.

    Percentile bootstraps of a maximum or a range (the largest gap between groups) are biased
    upwards, so their lower end can sit above the estimate. Extending down to the estimate keeps
    the upper bound as conservative as the bootstrap says and never claims a lower bound the
    data do not show.
    """
    low, high = interval
    if value is None or low is None or high is None:
        return low, high
    return min(low, value), max(high, value)
