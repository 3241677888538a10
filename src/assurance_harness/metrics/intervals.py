"""Confidence intervals: Wilson for rates, seeded percentile bootstrap for everything else.

Wilson rather than the normal approximation because assurance rates sit near 0 or 1 with
small n, where the normal interval collapses to zero width and overstates certainty.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.stats import norm


def z_value(confidence: float) -> float:
    return float(norm.ppf(0.5 + confidence / 2))


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Wilson score interval for a binomial proportion; (None, None) when n == 0."""
    if n <= 0:
        return None, None
    z = z_value(confidence)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def bootstrap_ci(
    data: Sequence[float] | np.ndarray,
    statistic: Callable[[np.ndarray], float],
    *,
    seed: int,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> tuple[float | None, float | None]:
    """Percentile bootstrap interval of ``statistic`` over resamples of ``data`` (seeded)."""
    values = np.asarray(data, dtype=float)
    if values.size == 0:
        return None, None
    if values.size == 1:
        only = float(statistic(values))
        return only, only
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, values.size, size=(resamples, values.size))
    samples = values[idx]
    vectorised: Any = statistic  # numpy reductions take axis=; plain callables do not
    try:
        stats = np.asarray(vectorised(samples, axis=1), dtype=np.float64)
    except TypeError:
        stats = np.array([statistic(row) for row in samples], dtype=np.float64)
    alpha = (1 - confidence) / 2
    low, high = np.nanquantile(stats, [alpha, 1 - alpha])
    return float(low), float(high)


def bootstrap_mean(
    values: Sequence[float] | np.ndarray,
    *,
    seed: int,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> tuple[float | None, float | None]:
    """Bootstrap interval for a mean."""
    return bootstrap_ci(values, np.mean, seed=seed, resamples=resamples, confidence=confidence)
