"""Intervals for a mean or a quantile over clusters of values that are not independent (a
case's samples).

A rate over several samples per case was clustered by case, but a ``mean`` over the same 0/1
values was not: the same figure got two intervals, the mean's too narrow when a case's samples
agree. ``intervals.mean_interval`` sends clustered values here, so both read one rule:

- 0/1 values: Clopper-Pearson at Korn and Graubard's effective sample size, exactly a rate's
  interval (``clustered_clopper_pearson``);
- other values in [0, 1]: the conservative score interval (``wilson_mean``) at that effective
  size;
- values in [0, 1] over one case: none (``intervals.one_cluster_reason``: one case shows
  nothing of how cases vary);
- any other values: the percentile bootstrap over clusters of the ratio mean (sum / count),
  O(clusters) memory, labelled approximate by Cochran's rule on the clusters' means; below
  ``BOOTSTRAP_MIN_CASES`` clusters a t interval over them, below ``MIN_MEAN_CASES`` none
  (``intervals.small_sample_mean_interval``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

import numpy as np

from ._special import binom_ppf
from .intervals import (
    BOOTSTRAP_MIN_CASES,
    MIN_CLUSTERS,
    ONE_VALUE_QUANTILE,
    cluster_totals,
    clustered_clopper_pearson,
    cochran_caveat,
    effective_n,
    extreme_rank_bounds,
    is_unit_interval,
    one_cluster_reason,
    quantile_interval,
    rarer_clusters,
    resample_indices,
    same_case_means,
    same_value_reason,
    small_sample_mean_interval,
    under_one_outcome,
    wilson_mean,
)


def clustered_mean_interval(
    values: np.ndarray,
    sums: np.ndarray,
    sizes: np.ndarray,
    *,
    seed: int,
    resamples: int,
    confidence: float,
) -> tuple[float | None, float | None, str]:
    """(low, high, method) for the mean of ``values`` grouped into clusters with these
    ``sums`` and ``sizes`` (``intervals.cluster_totals``); at least one cluster has several."""
    k, total = int(sizes.size), float(sizes.sum())
    mean = float(sums.sum()) / total
    if is_unit_interval(values):
        if np.isin(values, (0.0, 1.0)).all():
            return clustered_clopper_pearson(sums, sizes, confidence, unit="cases")
        if k < 2:
            return None, None, one_cluster_reason(total, "cases")
        n_eff = effective_n(sums, sizes, confidence)
        fraction = under_one_outcome(n_eff, k, total, "cases")
        if fraction is not None:
            return None, None, fraction
        low, high = wilson_mean(mean, n_eff, confidence)
        method = (
            f"wilson (values in [0, 1], conservative), clustered over {k} cases "
            f"(Korn-Graubard effective n {n_eff:.3g} of {total:.0f})"
        )
        rarer = rarer_clusters(sums, sizes)
        if rarer < MIN_CLUSTERS:
            method += (
                f"; approximate: only {rarer} cases hold the rarer outcome "
                f"(the clustering needs >= {MIN_CLUSTERS})"
            )
        return low, high, method
    if k < BOOTSTRAP_MIN_CASES:
        return small_sample_mean_interval(sums, sizes, confidence)
    if same_case_means(sums / sizes):
        return None, None, same_value_reason(k)
    rng = np.random.default_rng(seed)
    parts = [
        sums[idx].sum(axis=1) / sizes[idx].sum(axis=1)
        for idx in resample_indices(rng, k, resamples)
    ]
    alpha = (1 - confidence) / 2
    low, high = np.quantile(np.concatenate(parts), [alpha, 1 - alpha])
    method = f"bootstrap over {k} cases (seed={seed}, resamples={resamples})"
    skewed = cochran_caveat(sums / sizes)
    return float(low), float(high), f"{method} ({skewed})" if skewed else method


def clustered_quantile_interval(
    values: np.ndarray, clusters: Sequence[Hashable], q: float, confidence: float
) -> tuple[float | None, float | None, str | None]:
    """``intervals.quantile_interval`` for values grouped into clusters (a case's samples).

    The count of values at or below the quantile is what its order-statistics interval rests
    on; over clusters that count varies more than a binomial's. Its Korn-Graubard effective
    sample size (``effective_n`` of each cluster's count at or below the sample quantile) takes
    the binomial's place, and the ranks found at that size are scaled back to the n values
    (outward: the lower rank down, the upper up). With one value a cluster it is the
    unclustered interval, unchanged. Coverage: BENCHMARKS.md ("Several samples a case").
    Returns (low, high, note): the note gives the effective size, and says "approximate" where
    a bound falls at the sample's extreme; a bound that extreme covers too rarely is None and
    the note starts with "no ..." (``intervals.extreme_rank_bounds``), as is the whole interval
    over one case (a single value reads as it does unclustered: a streamed run of one sample a
    case passes no clusters, and must say the same)."""
    data = np.sort(np.asarray(values, dtype=float))
    n = int(data.size)
    if n == 0:
        return None, None, None
    at_or_below = (np.asarray(values, dtype=float) <= float(np.quantile(data, q))).astype(float)
    sums, sizes = cluster_totals(at_or_below, clusters)
    if bool((sizes == 1).all()):  # one value a case (a single value too): no clusters
        return quantile_interval(values, q, confidence)
    if sizes.size < 2:
        return None, None, ONE_VALUE_QUANTILE + f" (its {n} samples are not independent values)"
    n_eff = effective_n(sums, sizes, confidence)
    size = max(1, math.floor(n_eff))
    alpha = 1 - confidence
    lower_rank = int(binom_ppf(alpha / 2, size, q))
    upper_rank = int(binom_ppf(1 - alpha / 2, size, q)) + 1
    lower, upper, caveat = extreme_rank_bounds(
        lower_rank, upper_rank, size, q, confidence, counted=f"effective n {n_eff:.3g}"
    )
    note = f"a case's samples counted together: effective n {n_eff:.3g} of {n}"
    if caveat:
        note = f"{caveat}; {note}"
    # Scaled from the ranks found, not the clamped ones: a clamped rank scales to the extreme.
    low = None if lower is None else max(1, math.floor(lower_rank / size * n))
    high = None if upper is None else min(n, math.ceil(upper_rank / size * n))
    return (
        None if low is None else float(data[low - 1]),
        None if high is None else float(data[high - 1]),
        note,
    )
