"""A BCa bootstrap interval (Efron 1987) for a statistic that depends on the rows only
through how many rows fall in each of a few kinds (cells): resampling rows is then drawing
the cell counts from a multinomial, vectorised and exact in distribution, and the jackknife
behind the acceleration has one leave-one-out value per cell that holds a row. Cohen's kappa
(four cells) and Krippendorff's alpha (one cell per number of labels and of "yes" labels on a
row) are both such statistics."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._special import ndtr, ndtri
from .intervals import z_value


def cell_bca(
    counts: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    seed: int,
    resamples: int,
    confidence: float,
) -> tuple[float | None, float | None]:
    """BCa interval for ``statistic`` (over the last axis of cell counts, NaN where undefined)
    at the rows ``counts`` holds; resamples where it is undefined are left out. (None, None)
    without two rows or a defined statistic."""
    n = int(counts.sum())
    point = float(statistic(counts))
    if n < 2 or np.isnan(point):
        return None, None
    rng = np.random.default_rng(seed)
    boot = statistic(rng.multinomial(n, counts / n, size=resamples))
    boot = boot[~np.isnan(boot)]
    if boot.size == 0:
        return None, None
    # Bias correction: the share of resamples below the estimate (ties split).
    below = (np.count_nonzero(boot < point) + 0.5 * np.count_nonzero(boot == point)) / boot.size
    z0 = float(ndtri(min(max(below, 1 / boot.size), 1 - 1 / boot.size)))
    # Acceleration from the jackknife: leaving out one row of cell j gives the same value for
    # every row of that cell.
    present = np.flatnonzero(counts > 0)
    leave_one = np.array([statistic(counts - np.eye(len(counts))[j]) for j in present])
    weights = counts[present]
    accel = 0.0
    if not np.isnan(leave_one).any():
        spread = (weights * leave_one).sum() / weights.sum() - leave_one
        denominator = 6 * float((weights * spread**2).sum()) ** 1.5
        if denominator > 0:
            accel = float((weights * spread**3).sum()) / denominator
    z = z_value(confidence)
    levels = [float(ndtr(z0 + (z0 + q) / (1 - accel * (z0 + q)))) for q in (-z, z)]
    low, high = np.quantile(boot, levels)
    return float(min(low, point)), float(max(high, point))
