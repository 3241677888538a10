"""ROC-AUC of a score against yes/no labels, with an interval that covers near AUC = 1.

The percentile bootstrap over items (what ``assurance scorers check`` used first) covered only
0.77-0.90 at nominal 0.95 when the true AUC is near 1 (benchmarks/coverage.py): a resample of a
near-perfect scorer is near-perfect too, and at AUC = 1 the interval is [1, 1]. Two asymptotic
intervals each fail somewhere else:

- Newcombe's (2006, method 5) score interval uses Hanley and McNeil's variance, which assumes
  the two classes' scores differ only by a shift on some scale; it holds at AUC = 1 but covers
  0.84-0.91 when the classes' spreads differ (positives twice as spread: 0.86 with 10 of 400).
- DeLong's nonparametric variance on the logit scale (with Satterthwaite's degrees of freedom
  for the t quantile) follows any shape but degenerates at AUC = 1 and covers 0.76-0.89 near 1
  with few items of one class.

The interval reported is the union of the two: 0.94 or more in every cell of a grid of class
sizes (5 to 500), AUC 0.67-1 and unequal spreads (benchmarks/coverage.py), at the price of
being conservative (0.97-0.99) where both are right. With fewer than ``MIN_CLASS`` items of
either class it is labelled approximate: nothing was measured there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._special import stdtrit
from .intervals import z_value

MIN_CLASS = 5
"""Fewer positives or negatives than this: the AUC interval is approximate."""
METHOD = "union of Newcombe's score interval and logit DeLong"


@dataclass(frozen=True)
class AucInterval:
    value: float
    low: float
    high: float
    method: str


def midranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks with ties given their average rank (``scipy.stats.rankdata``, whose
    import costs a start-up)."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    # Start of each run of equal values, and its length.
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    lengths = np.diff(np.r_[starts, values.size])
    average = starts + (lengths + 1) / 2
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(average, lengths)
    return ranks


def delong_parts(positives: np.ndarray, negatives: np.ndarray) -> tuple[float, float, float]:
    """(AUC, variance from the positives, variance from the negatives) by DeLong et al. (1988):
    each item's placement value, the share of the other class it beats (ties half)."""
    m, n = positives.size, negatives.size
    ranks = midranks(np.concatenate([positives, negatives]))
    beats = (ranks[:m] - midranks(positives)) / n
    beaten = 1 - (ranks[m:] - midranks(negatives)) / m
    s10 = float(beats.var(ddof=1)) / m if m > 1 else 0.0
    s01 = float(beaten.var(ddof=1)) / n if n > 1 else 0.0
    return float(beats.mean()), s10, s01


def hanley_mcneil_variance(theta: float, m: int, n: int) -> float:
    """Hanley and McNeil's (1982) variance of the AUC at true value ``theta``, with Newcombe's
    substitution of (m + n) / 2 for both class sizes (his method 5)."""
    k = (m + n) / 2 - 1
    spread = 1 + k * (1 - theta) / (2 - theta) + k * theta / (1 + theta)
    return theta * (1 - theta) * spread / (m * n)


def _root(f: Callable[[float], float], inside: float, outside: float) -> float:
    """Bisection for f = 0 between ``inside`` (f < 0) and ``outside`` (f >= 0)."""
    for _ in range(60):
        middle = (inside + outside) / 2
        if f(middle) < 0:
            inside = middle
        else:
            outside = middle
    return (inside + outside) / 2


def newcombe_score(value: float, m: int, n: int, confidence: float) -> tuple[float, float]:
    """The AUCs theta whose Hanley-McNeil variance puts ``value`` within z standard errors:
    |value - theta| <= z sqrt(V(theta)). Unlike a Wald interval it is not [1, 1] at AUC 1."""
    z = z_value(confidence)

    def outside(theta: float) -> float:  # >= 0 where theta is outside the interval
        return (value - theta) ** 2 - z * z * hanley_mcneil_variance(theta, m, n)

    low = 0.0 if value <= 0 or outside(0.0) < 0 else _root(outside, value, 0.0)
    high = 1.0 if value >= 1 or outside(1.0) < 0 else _root(outside, value, 1.0)
    return low, high


def logit_delong(
    value: float, s10: float, s01: float, m: int, n: int, confidence: float
) -> tuple[float, float] | None:
    """DeLong's variance carried to the logit scale, with a t quantile at Satterthwaite's
    degrees of freedom; None where it degenerates (AUC 0 or 1, or no variance)."""
    variance = s10 + s01
    if not 0 < value < 1 or variance <= 0:
        return None
    parts = (s10**2 / (m - 1) if m > 1 else 0.0) + (s01**2 / (n - 1) if n > 1 else 0.0)
    df = variance**2 / parts if parts > 0 else float(m + n - 2)
    t = float(stdtrit(max(df, 1.0), 0.5 + confidence / 2))
    centre = math.log(value / (1 - value))
    half = t * math.sqrt(variance) / (value * (1 - value))
    return 1 / (1 + math.exp(half - centre)), 1 / (1 + math.exp(-centre - half))


def auc_interval(
    labels: np.ndarray, scores: np.ndarray, confidence: float = 0.95
) -> AucInterval | None:
    """ROC-AUC (ties count a half) with the union interval; None without both classes."""
    y = np.asarray(labels).astype(bool)
    s = np.asarray(scores, dtype=float)
    positives, negatives = s[y], s[~y]
    m, n = int(positives.size), int(negatives.size)
    if m == 0 or n == 0:
        return None
    value, s10, s01 = delong_parts(positives, negatives)
    low, high = newcombe_score(value, m, n, confidence)
    other = logit_delong(value, s10, s01, m, n, confidence)
    if other is not None:
        low, high = min(low, other[0]), max(high, other[1])
    method = METHOD
    if min(m, n) < MIN_CLASS:
        method += (
            f"; approximate: only {min(m, n)} {'positives' if m < n else 'negatives'} "
            f"(coverage measured with >= {MIN_CLASS} of each class)"
        )
    return AucInterval(value, min(low, value), max(high, value), method)
