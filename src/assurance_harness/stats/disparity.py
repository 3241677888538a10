"""Gaps between groups that separate bias from noise.

The largest gap between k group means is biased upward: with no true difference at all, five
groups of 50 show a gap of about 0.1 in refusal rate by chance alone, and a percentile bootstrap
of that gap never covers zero. Three tools answer the questions a bias gate asks:

- ``gap_interval``: simultaneous (Bonferroni) intervals for every pairwise difference, combined
  into an interval for the largest gap (or smallest ratio). It covers the true gap with at
  least the stated confidence whether or not there is a gap, so a gate on its lower bound
  ("the gap is credibly above X") fires on noise at most alpha of the time, and a gate on its
  upper bound ("credibly below X", equivalence) passes only when the data show parity.
- ``permutation_p_value``: the test of "no gap": how often shuffling the group labels gives a
  gap at least as large as the one observed.
- ``bias_corrected``: the bootstrap bias-corrected estimate of the gap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from ._special import stdtrit
from .intervals import BOOTSTRAP_BLOCK, wilson_mean, z_value


@dataclass(frozen=True)
class GroupSample:
    """One group's per-case values (a case's samples already averaged)."""

    values: np.ndarray

    @property
    def n(self) -> int:
        return int(self.values.size)

    @property
    def mean(self) -> float:
        return float(self.values.mean())


def _pair_interval(
    a: GroupSample, b: GroupSample, confidence: float, unit: bool
) -> tuple[float, float]:
    """Interval for mean(a) - mean(b) at ``confidence``.

    Values in [0, 1]: Newcombe's hybrid score interval from the two groups' score intervals
    (good at rates near 0 or 1). Other values: Welch's t interval.
    """
    d = a.mean - b.mean
    if unit:
        la, ua = wilson_mean(a.mean, a.n, confidence)
        lb, ub = wilson_mean(b.mean, b.n, confidence)
        assert la is not None and ua is not None and lb is not None and ub is not None
        low = d - math.sqrt((a.mean - la) ** 2 + (ub - b.mean) ** 2)
        high = d + math.sqrt((ua - a.mean) ** 2 + (b.mean - lb) ** 2)
        return low, high
    va = a.values.var(ddof=1) / a.n if a.n > 1 else math.inf
    vb = b.values.var(ddof=1) / b.n if b.n > 1 else math.inf
    se = math.sqrt(va + vb)
    if se == 0:
        return d, d
    if not math.isfinite(se):
        return -math.inf, math.inf
    df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1)) if va + vb > 0 else 1.0
    t = float(stdtrit(df, 0.5 + confidence / 2))  # = scipy.stats.t.ppf, without its overhead
    return d - t * se, d + t * se


def _log_pair_interval(a: GroupSample, b: GroupSample, confidence: float) -> tuple[float, float]:
    """Interval for log(mean(a) / mean(b)) by the delta method (for ratios of positive means)."""
    d = math.log(a.mean) - math.log(b.mean)
    va = a.values.var(ddof=1) / (a.n * a.mean**2) if a.n > 1 else math.inf
    vb = b.values.var(ddof=1) / (b.n * b.mean**2) if b.n > 1 else math.inf
    se = math.sqrt(va + vb)
    if not math.isfinite(se):
        return -math.inf, math.inf
    z = z_value(confidence)
    return d - z * se, d + z * se


def _abs_bounds(low: float, high: float) -> tuple[float, float]:
    """Bounds on |d| given low <= d <= high."""
    if low > 0:
        return low, high
    if high < 0:
        return -high, -low
    return 0.0, max(-low, high)


def gap_interval(
    groups: Sequence[GroupSample], *, method: str = "difference", confidence: float = 0.95
) -> tuple[float | None, float | None]:
    """Interval for the largest gap between group means (``difference``: max - min, in the
    data's units) or the smallest ratio (``ratio``: min / max), from simultaneous pairwise
    intervals, each at level 1 - alpha / (number of pairs).

    If every pairwise difference lies in its interval (probability >= ``confidence`` by
    Bonferroni), the largest gap lies between the largest lower bound of any |difference| and
    the largest upper bound: so this interval covers the true gap at least that often, with or
    without a true gap. Conservative by design.
    """
    usable = [g for g in groups if g.n > 0]
    if len(usable) < 2:
        return None, None
    pairs = list(combinations(usable, 2))
    level = 1 - (1 - confidence) / len(pairs)
    if method == "ratio":
        if any(g.mean <= 0 for g in usable):
            return 0.0, 1.0
        bounds = [_abs_bounds(*_log_pair_interval(a, b, level)) for a, b in pairs]
        low_log = max(b[0] for b in bounds)
        high_log = max(b[1] for b in bounds)
        return float(math.exp(-high_log)), float(min(1.0, math.exp(-low_log)))
    everything = np.concatenate([g.values for g in usable])
    unit = bool(((everything >= 0) & (everything <= 1)).all())
    bounds = [_abs_bounds(*_pair_interval(a, b, level, unit)) for a, b in pairs]
    high = max(b[1] for b in bounds)
    return float(max(b[0] for b in bounds)), float(min(high, 1.0) if unit else high)


def spread(means: np.ndarray, method: str = "difference") -> np.ndarray:
    """The between-group statistic over the last axis: max - min, or min / max for ratios."""
    high, low = means.max(axis=-1), means.min(axis=-1)
    if method == "difference":
        return high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(high > 0, low / high, np.where(low == high, 1.0, np.nan))


def permutation_p_value(
    groups: Sequence[GroupSample],
    *,
    statistic: Callable[[np.ndarray], np.ndarray] | None = None,
    larger_is_worse: bool = True,
    seed: int = 0,
    permutations: int = 2000,
) -> float | None:
    """p-value of "no gap": the share of label shufflings whose statistic is at least as extreme
    as the observed one, counting the observed labelling ((b + 1) / (B + 1), exact under
    exchangeability). ``statistic`` maps an array of group means (last axis) to a figure;
    the default is max - min. Memory is O(cases) per block of shufflings."""
    usable = [g for g in groups if g.n > 0]
    if len(usable) < 2:
        return None
    stat = statistic or spread
    values = np.concatenate([g.values for g in usable])
    labels = np.concatenate([[i] * g.n for i, g in enumerate(usable)])
    sizes = np.array([g.n for g in usable], dtype=float)
    k, n = len(usable), values.size
    observed = float(stat(np.array([g.mean for g in usable]))[()])
    rng = np.random.default_rng(seed)
    block = max(1, BOOTSTRAP_BLOCK // n)
    extreme = 0
    done = 0
    while done < permutations:
        count = min(block, permutations - done)
        order = np.argsort(rng.random((count, n)), axis=1)
        shuffled = values[order]
        sums = np.zeros((count, k))
        for i in range(k):
            sums[:, i] = shuffled[:, labels == i].sum(axis=1)
        figures = stat(sums / sizes)
        tolerance = 1e-12 * max(1.0, abs(observed))
        if larger_is_worse:
            extreme += int(np.count_nonzero(figures >= observed - tolerance))
        else:
            extreme += int(np.count_nonzero(figures <= observed + tolerance))
        done += count
    return (extreme + 1) / (permutations + 1)


def bias_corrected(point: float, resampled: np.ndarray, *, low: float, high: float) -> float:
    """Bootstrap bias correction, ``2 * point - mean(resampled)``, kept within [low, high].

    The bootstrap reproduces the upward bias of a largest-gap estimate (resamples of equal
    groups differ by chance too), so subtracting it removes most of the bias."""
    finite = resampled[np.isfinite(resampled)]
    if finite.size == 0:
        return point
    return float(min(high, max(low, 2 * point - float(finite.mean()))))
