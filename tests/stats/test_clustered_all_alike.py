"""A clustered rate (or mean, quantile, corrected rate) whose outcomes are all alike (every
sample of every case a miss, or every one a hit) is bounded by its cases, not its samples.

With every outcome alike there is no variance to read how alike a case's samples are, and
counting them as independent (Korn-Graubard's n* = n) under-covered: ten cases of ten samples at
temperature 0 (a case's samples identical) and a true rate of 0.05 show no hit in 60% of runs,
and their upper bound, 0.047, then excluded the truth; the interval covered in 0.41 of draws
(benchmarks/allmiss_coverage.py). No hit in k cases happens at most as often as (1 - p)^k
whatever the samples do (a case's samples all miss at most as often as its first one), so
Clopper-Pearson for 0 of the k cases covers at any intra-case correlation.
"""

from __future__ import annotations

import numpy as np
import pytest

from assurance_harness.stats.clustered import clustered_mean_interval, clustered_quantile_interval
from assurance_harness.stats.intervals import (
    clopper_pearson,
    clustered_clopper_pearson,
    effective_n,
    outcomes_effective_n,
)


@pytest.mark.parametrize(("cases", "samples"), [(10, 10), (30, 3), (2, 2)])
def test_no_hit_in_any_sample_is_bounded_by_the_cases(cases: int, samples: int) -> None:
    low, high, method = clustered_clopper_pearson([0] * cases, [samples] * cases, unit="cases")
    assert (low, high) == clopper_pearson(0, cases)
    assert f"clustered over {cases} cases" in method
    assert "approximate" not in method  # exact, conservative: no correlation can break it
    assert "outcomes alike" in method, method


def test_every_sample_a_hit_is_bounded_by_the_cases_too() -> None:
    low, high, _ = clustered_clopper_pearson([4] * 12, [4] * 12, unit="sources")
    assert (low, high) == clopper_pearson(12, 12)


def test_the_effective_size_of_alike_outcomes_is_the_number_of_cases() -> None:
    assert effective_n(np.zeros(10), np.full(10, 10.0)) == 10.0
    assert effective_n(np.full(7, 3.0), np.full(7, 3.0)) == 7.0


def test_a_mean_of_alike_zeros_and_a_quantile_of_ties_read_the_same_rule() -> None:
    zeros = np.zeros(40)
    sums, sizes = np.zeros(10), np.full(10, 4.0)
    low, high, _ = clustered_mean_interval(
        zeros, sums, sizes, seed=1, resamples=100, confidence=0.95
    )
    assert (low, high) == clopper_pearson(0, 10)
    # Every latency the same: the quantile's count at or below it is every value.
    _, _, note = clustered_quantile_interval(
        np.full(40, 2.0), np.repeat(np.arange(10), 4), 0.5, 0.95
    )
    assert note is not None and "effective n 10 of 40" in note, note


def test_coverage_at_temperature_zero_holds() -> None:
    """The shortfall, simulated (fixed seed): 10 cases x 10 identical samples, true rate 0.05."""
    rng = np.random.default_rng(20261207)
    draws, covered = 2000, 0
    for _ in range(draws):
        hits = (rng.random(10) < 0.05) * 10
        low, high, _ = clustered_clopper_pearson(hits, np.full(10, 10), unit="cases")
        covered += low is not None and high is not None and low <= 0.05 <= high
    assert covered / draws >= 0.95  # it was 0.41


@pytest.mark.parametrize("spread", [True, False])
def test_a_harmful_answer_more_never_narrows_the_bound_below_none(spread: bool) -> None:
    """Korn-Graubard read from one case with a hit counted ten cases of ten samples as 76
    outcomes: one hit gave an upper bound of 0.066 where none gave 0.308, so a gate passed on
    one harmful answer and failed on none. With fewer than 8 cases holding the rarer outcome
    each case is at most one outcome (``outcomes_effective_n``): the bound grows with the hits."""
    uppers = []
    for hits in range(8):
        counts = [1] * hits + [0] * (10 - hits) if spread else [hits] + [0] * 9
        _, high, method = clustered_clopper_pearson(counts, [10] * 10, unit="cases")
        assert high is not None
        uppers.append(high)
        if hits:
            assert "at most one outcome a case" in method and "approximate" not in method
    assert uppers == sorted(uppers), uppers
    assert effective_n(np.array([1.0] + [0.0] * 9), np.full(10, 10.0)) > 70  # Korn-Graubard
    assert outcomes_effective_n(np.array([1.0] + [0.0] * 9), np.full(10, 10.0)) == 10.0


def test_coverage_with_few_cases_holding_a_hit_holds() -> None:
    """100 cases of 8 samples, true rate 0.02, a case's samples alike half the time: Korn-
    Graubard uncapped covered 0.925 (benchmarks/coverage_clustered.py); capped, at least 0.95."""
    rng = np.random.default_rng(20261207)
    draws, covered = 400, 0
    for _ in range(draws):
        shared = rng.random(100) < 0.5
        hits = np.where(shared, (rng.random(100) < 0.02) * 8, (rng.random((100, 8)) < 0.02).sum(1))
        low, high, _ = clustered_clopper_pearson(hits, np.full(100, 8), unit="cases")
        covered += low is not None and high is not None and low <= 0.02 <= high
    assert covered / draws >= 0.95
