"""Resampling by counts of each distinct value (``stats.levelcounts``) is the same bootstrap and
the same permutation test as drawing indices: its draws must have the index draws' law, its
intervals and p-values must agree with theirs within Monte Carlo error, and the test it makes
must not fire on noise."""

from __future__ import annotations

import numpy as np
import pytest

from assurance_harness.stats import disparity, intervals
from assurance_harness.stats.disparity import GroupSample, permutation_p_value, spread
from assurance_harness.stats.intervals import bootstrap_ci
from assurance_harness.stats.levelcounts import (
    COUNTS_MIN_CASES,
    Levels,
    bootstrap_sums,
    few_levels,
    shuffled_group_sums,
)


def _ratings(rng: np.random.Generator, n: int, shift: float = 0.0) -> np.ndarray:
    """A 1-5 rating, skewed: five distinct values."""
    weights = np.array([0.05, 0.1, 0.2, 0.4, 0.25]) + shift * np.array([0.1, 0, 0, 0, -0.1])
    return rng.choice(np.arange(1.0, 6.0), size=n, p=weights / weights.sum())


def test_counts_are_drawn_only_for_many_values_of_few_distinct_ones() -> None:
    rng = np.random.default_rng(0)
    levels = few_levels(_ratings(rng, 2000))
    assert levels is not None
    assert levels.values.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert levels.n == 2000
    assert few_levels(_ratings(rng, COUNTS_MIN_CASES - 1)) is None  # small: index draws
    assert few_levels(rng.normal(size=5000)) is None  # every value distinct
    with_nan = _ratings(rng, 2000)
    with_nan[3] = np.nan
    assert few_levels(with_nan) is None  # the index draws' NaN handling decides
    many = rng.integers(0, 400, 2000).astype(float)  # 400 levels: fewer than 8 values each
    assert few_levels(many) is None
    assert few_levels(rng.integers(0, 100, 2000).astype(float)) is not None
    # A permutation test of k groups draws (k - 1) groups' counts: it needs more values a level.
    assert few_levels(rng.integers(0, 100, 2000).astype(float), groups=4) is None


def test_bootstrap_means_have_the_law_of_an_index_bootstrap() -> None:
    # A resample's mean has expectation the sample mean and variance (population variance)/n.
    values = _ratings(np.random.default_rng(1), 2000)
    levels = few_levels(values)
    assert levels is not None
    resamples = 20_000
    means = bootstrap_sums(levels, np.random.default_rng(2), resamples) / levels.n
    spread_of_mean = values.std() / np.sqrt(values.size)
    assert abs(means.mean() - values.mean()) < 5 * spread_of_mean / np.sqrt(resamples)
    assert means.var() == pytest.approx(spread_of_mean**2, rel=0.06)
    assert means.min() >= 1.0 and means.max() <= 5.0


def test_bootstrap_blocks_hold_about_a_block_of_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assurance_harness.stats.levelcounts.BOOTSTRAP_BLOCK", 10)
    levels = Levels(np.array([0.0, 1.0, 2.0]), np.array([500, 300, 200]))
    sums = bootstrap_sums(levels, np.random.default_rng(3), 7)  # blocks of 3, 3, 1 resamples
    assert sums.shape == (7,)
    assert ((sums >= 0) & (sums <= 2000)).all()


def test_bootstrap_interval_agrees_with_the_index_draws() -> None:
    values = _ratings(np.random.default_rng(4), 5000)
    by_counts = bootstrap_ci(values, np.mean, seed=5, resamples=4000)
    # The same interval by index draws: the counts path switched off for this call.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("assurance_harness.stats.levelcounts.few_levels", lambda v, groups=1: None)
        by_indices = bootstrap_ci(values, np.mean, seed=5, resamples=4000)
    assert by_counts != by_indices  # other draws...
    width = by_indices[1] - by_indices[0]  # ...of one interval: the ends within 3% of its width
    assert by_counts[0] == pytest.approx(by_indices[0], abs=0.03 * width)
    assert by_counts[1] == pytest.approx(by_indices[1], abs=0.03 * width)
    assert intervals.bootstrap_ci(values, np.median, seed=5, resamples=50)[0] is not None


def test_shuffled_group_sums_deal_every_value_once() -> None:
    rng = np.random.default_rng(6)
    values = _ratings(rng, 3000)
    pool = few_levels(values, groups=3)
    assert pool is not None
    sizes = np.array([500, 1000, 1500])
    sums = shuffled_group_sums(pool, sizes, np.random.default_rng(7), 20_000)
    assert np.array_equal(sums.sum(axis=1), np.full(20_000, values.sum()))
    # Group g's sum has mean n_g * mean and, drawn without replacement, variance
    # n_g * var * (N - n_g) / (N - 1).
    n, mean, var = values.size, values.mean(), values.var()
    for g, size in enumerate(sizes):
        expected_var = size * var * (n - size) / (n - 1)
        assert abs(sums[:, g].mean() - size * mean) < 5 * np.sqrt(expected_var / 20_000)
        assert sums[:, g].var() == pytest.approx(expected_var, rel=0.06)


def test_p_value_agrees_with_shuffling_every_case() -> None:
    rng = np.random.default_rng(8)
    groups = [GroupSample(_ratings(rng, 700, shift=s)) for s in (0.0, 0.06, 0.1)]
    assert disparity.few_levels(np.concatenate([g.values for g in groups]), groups=3)
    permutations = 4000
    by_counts = permutation_p_value(groups, seed=1, permutations=permutations)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(disparity, "few_levels", lambda v, groups=1: None)
        by_shuffles = permutation_p_value(groups, seed=1, permutations=permutations)
    assert by_counts is not None and by_shuffles is not None
    assert 0.001 < by_shuffles < 0.5  # a p-value Monte Carlo error can move
    error = np.sqrt(2 * by_shuffles * (1 - by_shuffles) / permutations)
    assert abs(by_counts - by_shuffles) < 4 * error
    ratio = permutation_p_value(
        groups,
        statistic=lambda means: spread(means, "ratio"),
        larger_is_worse=False,
        seed=1,
        permutations=permutations,
    )
    assert ratio is not None and 0.001 < ratio < 0.6


def test_the_test_does_not_fire_on_noise() -> None:
    """Groups drawn from one distribution: p <= 0.05 about 5% of the time, no more."""
    rng = np.random.default_rng(9)
    p_values = []
    for _ in range(300):
        values = (rng.random(1500) < 0.3).astype(float)  # 0/1 outcomes, no gap at all
        groups = [GroupSample(part) for part in (values[:300], values[300:900], values[900:])]
        p = permutation_p_value(groups, seed=int(rng.integers(1 << 30)), permutations=400)
        assert p is not None
        p_values.append(p)
    fired = np.mean(np.array(p_values) <= 0.05)
    assert fired <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 300)  # 0.088
    assert np.mean(np.array(p_values) <= 0.5) == pytest.approx(0.5, abs=0.1)


def test_a_real_gap_is_found() -> None:
    rng = np.random.default_rng(10)
    low = (rng.random(2000) < 0.20).astype(float)
    high = (rng.random(2000) < 0.26).astype(float)
    p = permutation_p_value([GroupSample(low), GroupSample(high)], seed=2, permutations=2000)
    assert p is not None and p < 0.01
