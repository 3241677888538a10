"""Intervals for a mean over clusters of values that are not independent (a case's samples).

A rate over several samples per case was clustered by case, but a ``mean`` over the same 0/1
values was not: the same figure got two intervals, the mean's too narrow when a case's samples
agree. ``intervals.mean_interval`` sends clustered values here, so both read one rule:

- 0/1 values: Clopper-Pearson at Korn and Graubard's effective sample size, exactly a rate's
  interval (``clustered_clopper_pearson``);
- other values in [0, 1]: the conservative score interval (``wilson_mean``) at that effective
  size;
- any other values: the percentile bootstrap over clusters of the ratio mean (sum / count),
  O(clusters) memory, labelled approximate by Cochran's rule on the clusters' means.
"""

from __future__ import annotations

import numpy as np

from .intervals import (
    MIN_CLUSTERS,
    clustered_clopper_pearson,
    cochran_caveat,
    effective_n,
    is_unit_interval,
    rarer_clusters,
    resample_indices,
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
            low, high = wilson_mean(mean, int(total), confidence)
            caveat = "approximate: every value from one case"
            return low, high, f"wilson (values in [0, 1], conservative; {caveat})"
        n_eff = effective_n(sums, sizes, confidence)
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
    if k < 2:
        return mean, mean, "bootstrap over cases (approximate: every value from one case)"
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
