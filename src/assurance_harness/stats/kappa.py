"""Cohen's kappa between two raters' yes/no labels, with a BCa bootstrap interval.

Kappa depends on the rows only through the four cell counts (both yes, yes/no, no/yes, both
no), so resampling rows is resampling those counts from a multinomial: the bootstrap is
vectorised and exact in distribution, and the jackknife behind the BCa acceleration has four
distinct leave-one-out values. BCa rather than the percentile interval: kappa's sampling
distribution is skewed and bounded, and the percentile interval covers 0.84-0.86 at n = 50
with a rare label (benchmarks/coverage.py); BCa corrects for the skew and the bias.

No interval covers at small n with a rare label (at n = 20 and a 10% "yes" rate every method
tried covers about 0.6: the data hold two or three "yes" labels). ``kappa_caveat`` says when
the interval is approximate, from the rule the coverage study supports.
"""

from __future__ import annotations

import numpy as np

from .cellboot import cell_bca

MIN_ROWS = 50
"""Fewer double-rated rows than this: the interval is approximate (coverage study)."""
MIN_LABEL = 10
"""Fewer than this many rows of either label from either rater: approximate."""


def kappa_from_counts(counts: np.ndarray) -> np.ndarray:
    """Kappa over the last axis of ``counts`` = (yes/yes, yes/no, no/yes, no/no); NaN where
    undefined (both raters used one label only, so chance agreement is 1)."""
    c = np.asarray(counts, dtype=float)
    n = c.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = (c[..., 0] + c[..., 3]) / n
        a = (c[..., 0] + c[..., 1]) / n
        b = (c[..., 0] + c[..., 2]) / n
        expected = a * b + (1 - a) * (1 - b)
        kappa = (observed - expected) / (1 - expected)
    return np.where(expected >= 1, np.nan, kappa)


def cell_counts(pairs: list[tuple[bool, bool]]) -> np.ndarray:
    counts = np.zeros(4)
    for a, b in pairs:
        counts[(0 if a else 2) + (0 if b else 1)] += 1
    return counts


def kappa_bca(
    pairs: list[tuple[bool, bool]],
    *,
    seed: int = 0,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> tuple[float | None, float | None]:
    """BCa bootstrap interval for Cohen's kappa (``cellboot.cell_bca``); resamples where
    kappa is undefined are left out. (None, None) without two rows or a defined kappa."""
    return cell_bca(
        cell_counts(pairs), kappa_from_counts, seed=seed, resamples=resamples,
        confidence=confidence,
    )  # fmt: skip


def kappa_caveat(pairs: list[tuple[bool, bool]]) -> str | None:
    """Why the kappa interval is approximate here, or None (see MIN_ROWS, MIN_LABEL)."""
    counts = cell_counts(pairs)
    n = int(counts.sum())
    smallest = int(
        min(
            counts[0] + counts[1],  # first rater's yes
            counts[2] + counts[3],  # first rater's no
            counts[0] + counts[2],  # second rater's yes
            counts[1] + counts[3],  # second rater's no
        )
    )
    if n < MIN_ROWS or smallest < MIN_LABEL:
        return (
            f"approximate: {n} double-rated rows, rarest label given {smallest} times "
            f"(coverage needs >= {MIN_ROWS} rows and >= {MIN_LABEL} of each label)"
        )
    return None
