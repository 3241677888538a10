"""Resampling by how many times each value occurs, for data with few distinct values.

A bootstrap of a mean and a permutation test of group means depend on a resample only through
its sums. Where the data hold few distinct values (0/1 outcomes, word counts, a 1-5 rating,
means of two samples), a resample's sums are fixed by how many times it takes each value, and
those counts have a known law:

- a bootstrap resample of n values (n draws with replacement) takes each value a
  Multinomial(n, counts / n) number of times;
- a shuffle of group labels gives each group a multivariate hypergeometric draw of values
  from the pool, drawn group after group from what is left.

Drawing the counts gives every resample's sums with exactly the law that drawing n indices
gives, at a cost that grows with the number of distinct values instead of with n: at 100,000
cases of 40 distinct values, the 2,000 resamples of a bootstrap drew 2 x 10^8 indices (1.2 s)
and the 2,000 shuffles of a five-group permutation test sorted 2 x 10^8 keys (2.1 s). The
intervals and p-values are those of the same bootstrap and the same permutation test; only
the random draws that reach them differ, so for one seed the figures differ from an index
draw's within its Monte Carlo error (tests/stats/test_level_counts.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .intervals import BOOTSTRAP_BLOCK

COUNTS_MIN_CASES = 1000
"""Below this many values an index draw costs little, and the same seed keeps giving the
intervals it always gave for the small samples most suites hold."""

CASES_PER_LEVEL = 8
"""Counts are drawn only where there are at least this many values per distinct value: a
draw of counts costs about what drawing this many indices for each value does."""


@dataclass(frozen=True)
class Levels:
    """The distinct values of a sample and how many times each occurs."""

    values: np.ndarray
    counts: np.ndarray

    @property
    def n(self) -> int:
        return int(self.counts.sum())


def few_levels(values: np.ndarray, *, groups: int = 1) -> Levels | None:
    """``values``' distinct values and counts where drawing counts is the cheaper exact draw
    (at least ``COUNTS_MIN_CASES`` finite values, ``CASES_PER_LEVEL`` or more a distinct
    value for each of ``groups`` - 1 groups' draws), else None."""
    n = int(values.size)
    if n < COUNTS_MIN_CASES or not np.isfinite(values).all():
        return None
    levels, counts = np.unique(values, return_counts=True)
    if levels.size * max(1, groups - 1) * CASES_PER_LEVEL > n:
        return None
    return Levels(levels.astype(np.float64), counts.astype(np.int64))


def _blocks(total: int, levels: int) -> list[int]:
    """Draws a block, so a block's counts (draws x distinct values) hold about
    ``BOOTSTRAP_BLOCK`` numbers, as an index draw's blocks do."""
    size = max(1, BOOTSTRAP_BLOCK // max(1, levels))
    return [min(size, total - done) for done in range(0, total, size)]


def bootstrap_sums(levels: Levels, rng: np.random.Generator, resamples: int) -> np.ndarray:
    """The sums of ``resamples`` bootstrap resamples of the sample ``levels`` describes."""
    shares = levels.counts / levels.n
    return np.concatenate(
        [
            rng.multinomial(levels.n, shares, size=count) @ levels.values
            for count in _blocks(resamples, levels.values.size)
        ]
    ).astype(np.float64)


def shuffled_group_sums(
    pool: Levels, sizes: np.ndarray, rng: np.random.Generator, shuffles: int
) -> np.ndarray:
    """Each group's sum of values (a ``shuffles`` x groups array) when the pool's values are
    dealt at random to groups of ``sizes`` (which add up to the pool's n)."""
    return np.concatenate(
        [_dealt_sums(pool, sizes, rng, count) for count in _blocks(shuffles, pool.values.size)]
    )


def _dealt_sums(
    pool: Levels, sizes: np.ndarray, rng: np.random.Generator, shuffles: int
) -> np.ndarray:
    """``shuffled_group_sums`` for one block: for each group in turn and each distinct value in
    turn, how many of the values left the group takes is hypergeometric, given what the group
    still needs and what is left of the other values."""
    left = np.broadcast_to(pool.counts, (shuffles, pool.counts.size)).copy()
    sums = np.zeros((shuffles, sizes.size))
    for g, size in enumerate(sizes[:-1].tolist()):
        needed = np.full(shuffles, size, dtype=np.int64)
        others = left.sum(axis=1)
        for v in range(pool.values.size - 1):
            others -= left[:, v]
            taken = rng.hypergeometric(left[:, v], others, needed)
            left[:, v] -= taken
            needed -= taken
            sums[:, g] += taken * pool.values[v]
        last = pool.values.size - 1  # the group's last values are whatever it still needs
        left[:, last] -= needed
        sums[:, g] += needed * pool.values[last]
    sums[:, -1] = left @ pool.values  # the last group gets what is left
    return sums
