"""The permutation test's group sums by rank (issue 12's 100k-case run) must give exactly the
p-values of the argsort of every shuffle it replaced: same shuffles, same counts.

Many values of few distinct ones are shuffled as counts of each value instead
(tests/stats/test_level_counts.py); here that path is turned off, so the rank path and the
argsort decide every case, as they do for values of many distinct ones."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from assurance_harness.stats import disparity
from assurance_harness.stats.disparity import (
    GroupSample,
    _sums_below_ranks,
    exactly_summable,
    permutation_p_value,
    spread,
)
from assurance_harness.stats.intervals import BOOTSTRAP_BLOCK


@pytest.fixture(autouse=True)
def _no_level_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disparity, "few_levels", lambda values, groups=1: None)


def _argsort_p_value(
    groups: Sequence[GroupSample], *, seed: int, permutations: int, ratio: bool = False
) -> float | None:
    """The permutation test as it was before the rank path: an argsort of every shuffle."""
    usable = [g for g in groups if g.n > 0]
    if len(usable) < 2:
        return None
    method = "ratio" if ratio else "difference"
    values = np.concatenate([g.values for g in usable])
    labels = np.concatenate([[i] * g.n for i, g in enumerate(usable)])
    sizes = np.array([g.n for g in usable], dtype=float)
    k, n = len(usable), values.size
    observed = float(spread(np.array([g.mean for g in usable]), method)[()])
    rng = np.random.default_rng(seed)
    block = max(1, BOOTSTRAP_BLOCK // n)
    extreme = done = 0
    while done < permutations:
        count = min(block, permutations - done)
        shuffled = values[np.argsort(rng.random((count, n)), axis=1)]
        sums = np.zeros((count, k))
        for i in range(k):
            sums[:, i] = shuffled[:, labels == i].sum(axis=1)
        figures = spread(sums / sizes, method)
        tolerance = 1e-12 * max(1.0, abs(observed))
        if ratio:
            extreme += int(np.count_nonzero(figures <= observed + tolerance))
        else:
            extreme += int(np.count_nonzero(figures >= observed - tolerance))
        done += count
    return (extreme + 1) / (permutations + 1)


def _groups(rng: np.random.Generator, sizes: list[int], kind: str) -> list[GroupSample]:
    out = []
    for i, size in enumerate(sizes):
        if kind == "rate":
            values = (rng.random(size) < 0.2 + 0.02 * i).astype(float)
        elif kind == "count":
            values = rng.integers(0, 30 + 3 * i, size).astype(float)
        elif kind == "halves":  # means of two samples: dyadic, still exact
            values = rng.integers(-8, 9 + i, size) / 2.0
        else:  # "real": the rank path does not apply; the argsort decides
            values = rng.normal(i * 0.05, 1.0, size)
        out.append(GroupSample(values))
    return out


@pytest.mark.parametrize("kind", ["rate", "count", "halves", "real"])
@pytest.mark.parametrize("sizes", [[700, 900], [1, 1200, 3], [400, 500, 600, 300, 450]])
def test_same_p_value_as_an_argsort_of_every_shuffle(kind: str, sizes: list[int]) -> None:
    rng = np.random.default_rng(sum(sizes) + len(kind))
    groups = _groups(rng, sizes, kind)
    for seed in (0, 7):
        expected = _argsort_p_value(groups, seed=seed, permutations=300)
        assert permutation_p_value(groups, seed=seed, permutations=300) == expected
    positive = [GroupSample(np.abs(g.values)) for g in groups]
    ratio = permutation_p_value(
        positive,
        statistic=lambda means: spread(means, "ratio"),
        larger_is_worse=False,
        seed=3,
        permutations=300,
    )
    assert ratio == _argsort_p_value(positive, seed=3, permutations=300, ratio=True)


def test_one_group_or_none_has_no_p_value() -> None:
    assert permutation_p_value([GroupSample(np.ones(2000))]) is None
    assert permutation_p_value([GroupSample(np.ones(2000)), GroupSample(np.array([]))]) is None


def test_nan_values_take_the_argsort_path_and_agree() -> None:
    rng = np.random.default_rng(4)
    groups = _groups(rng, [600, 700], "count")
    groups[0].values[5] = np.nan
    assert not exactly_summable(np.concatenate([g.values for g in groups]))
    expected = _argsort_p_value(groups, seed=1, permutations=200)
    assert permutation_p_value(groups, seed=1, permutations=200) == expected


def test_exactly_summable() -> None:
    assert exactly_summable(np.array([0.0, 1.0, 1.0]))
    assert exactly_summable(np.array([3.0, -2.5, 0.25]))
    assert not exactly_summable(np.array([1 / 3, 1.0]))
    assert not exactly_summable(np.array([1.0, np.inf]))
    assert not exactly_summable(np.array([2.0**52, 2.0**52, 1.0]))  # the total leaves 53 bits
    assert not exactly_summable(np.array([]))


def _cumulative_by_argsort(keys: np.ndarray, values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    ranked = values[np.argsort(keys)]
    edges = [0, *cuts.tolist(), values.size]
    return np.array([ranked[:e].sum() for e in edges])


def test_sums_below_ranks_match_the_sorted_order() -> None:
    rng = np.random.default_rng(9)
    values = rng.integers(0, 50, 5000).astype(float)
    cuts = np.array([1, 1700, 2500, 4999])
    for _ in range(20):
        keys = rng.random(values.size)
        got = _sums_below_ranks(keys, values, cuts)
        assert got is not None
        assert np.array_equal(got, _cumulative_by_argsort(keys, values, cuts))


def test_tied_keys_at_a_cut_defer_to_the_argsort() -> None:
    values = np.arange(8, dtype=float)
    keys = np.array([0.1, 0.5, 0.5, 0.9, 0.2, 0.3, 0.7, 0.8])
    # Ranks: 0.1, 0.2, 0.3, 0.5, 0.5, 0.7, ...: the cut at 4 falls between the two 0.5s.
    assert _sums_below_ranks(keys, values, np.array([4])) is None
    # A tie inside one side of every cut changes no sum.
    got = _sums_below_ranks(keys, values, np.array([3, 5]))
    assert got is not None
    assert np.array_equal(got, _cumulative_by_argsort(keys, values, np.array([3, 5])))


def test_a_block_with_tied_keys_gives_the_argsort_p_value(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ties in uniform keys are too rare to meet by chance: every row of every block ties here.
    rng = np.random.default_rng(2)
    groups = _groups(rng, [800, 700], "count")
    real_rng = np.random.default_rng

    class Coarse:
        def __init__(self, seed: int) -> None:
            self.rng = real_rng(seed)

        def random(self, size: tuple[int, int]) -> np.ndarray:
            return np.floor(self.rng.random(size) * 50) / 50

    monkeypatch.setattr(np.random, "default_rng", Coarse)
    expected = _argsort_p_value(groups, seed=0, permutations=200)
    assert permutation_p_value(groups, seed=0, permutations=200) == expected


def test_small_runs_keep_the_argsort(monkeypatch: pytest.MonkeyPatch) -> None:
    # Below RANK_SUMS_MIN_CASES the rank path is not taken (it would be slower), same figure.
    calls: list[int] = []
    real = disparity._group_sums_by_rank

    def spy(*args: np.ndarray) -> np.ndarray | None:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(disparity, "_group_sums_by_rank", spy)
    rng = np.random.default_rng(3)
    permutation_p_value(_groups(rng, [100, 120], "rate"), permutations=50)
    assert not calls
    permutation_p_value(_groups(rng, [600, 700], "rate"), permutations=50)
    assert calls


def test_integer_values_whose_sum_wraps_are_not_summable() -> None:
    """An int64 array's absolute sum wraps past 2^63 (four values of 2^62 sum to 0): the check
    must add in floats, or the rank path adds values no float sum holds exactly and its
    p-value differs from the argsort's (0.005 against 0.52 in review)."""
    big = np.full(4, 2**62, dtype=np.int64)
    assert not exactly_summable(big)
    groups = [
        GroupSample(np.full(600, 2**62, dtype=np.int64)),
        GroupSample(np.array([2**62] * 300 + [0] * 300, dtype=np.int64)),
    ]
    by_rank = permutation_p_value(
        groups, statistic=lambda m: spread(m, "ratio"), larger_is_worse=False, permutations=50
    )
    assert by_rank == _argsort_p_value(groups, seed=0, permutations=50, ratio=True)
