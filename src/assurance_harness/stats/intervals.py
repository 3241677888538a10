"""Confidence intervals: Wilson for rates, seeded percentile bootstrap for everything else.

Wilson rather than the normal approximation because assurance rates sit near 0 or 1 with
small n, where the normal interval collapses to zero width and overstates certainty.
This is the one home of the harness's intervals: metrics, comparisons and plots all use it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.stats import norm

BOOTSTRAP_BLOCK = 1 << 20
"""Most resampled values held at once: resamples are drawn in blocks of about this many values,
so memory is O(n) (plus this constant), not O(resamples x n). The random stream, and so every
interval, is the same as drawing all resamples at once."""


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile for ``confidence`` (1.96 at 0.95)."""
    return float(norm.ppf(0.5 + confidence / 2))


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Wilson score interval for a binomial proportion; (None, None) when n == 0.

    With no hits the lower bound is exactly 0, and with all hits the upper bound exactly 1 (the
    closed form gives that too, but floating-point rounding does not always: a report would
    otherwise show "1e-17" and a gate ``min: 1`` on an upper bound could fail on rounding).
    """
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


def resample_indices(
    rng: np.random.Generator, size: int, resamples: int
) -> Any:  # Iterator[np.ndarray], kept loose for numpy's typing
    """Yield blocks of bootstrap index rows (each row ``size`` draws from ``range(size)``).

    Successive blocks continue one random stream, so the concatenation equals a single
    ``rng.integers(0, size, (resamples, size))`` draw.
    """
    block = max(1, BOOTSTRAP_BLOCK // max(size, 1))
    done = 0
    while done < resamples:
        count = min(block, resamples - done)
        yield rng.integers(0, size, size=(count, size))
        done += count


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
    vectorised: Any = statistic  # numpy reductions take axis=; plain callables do not
    parts = []
    for idx in resample_indices(rng, values.size, resamples):
        samples = values[idx]
        try:
            part = np.asarray(vectorised(samples, axis=1), dtype=np.float64)
        except TypeError:
            part = np.array([statistic(row) for row in samples], dtype=np.float64)
        parts.append(part)
    stats = np.concatenate(parts)
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
