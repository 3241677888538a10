"""``clustered_two_proportion`` where one run has no hit at all. Such a run's own (Wald)
cluster-robust variance is 0, so the test counted it at its full sample size and read noise as
a change. Observed: both runs drawn from one population (rate 0.1, intra-case correlation
0.5, 10 cases of 10 samples) were called different in 0.77 of the pairs where one run had no
hit, 0.15 of all pairs at alpha 0.05; 0/100 against 8/100 hits in three of ten cases read p =
0.012, a regression from what three cases in ten do by chance, with an interval beside it
that missed 0."""

from __future__ import annotations

import numpy as np

from assurance_harness.stats.twosample import clustered_two_proportion

SAMPLES = 10


def _cases(*hits: int, cases: int = 10, samples: int = SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    sums = np.zeros(cases)
    sums[: len(hits)] = hits
    return sums, np.full(cases, float(samples))


def test_no_hits_against_hits_in_a_few_cases_is_not_a_change() -> None:
    # Three cases of ten with hits against none: by chance one time in five (cases as units).
    result = clustered_two_proportion(*_cases(), *_cases(4, 3, 1))
    assert result.p_value is not None and result.p_value > 0.05, result
    # The interval shown beside it says the same (Newcombe's at the old effective n missed 0).
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < 0 < result.ci_high, result


def test_false_alarms_stay_near_alpha_where_runs_often_have_no_hit() -> None:
    """Seeded draws under the null, as the observation above: was 0.185 of 400 pairs."""
    rng = np.random.default_rng(20261207)
    rate, icc, cases = 0.1, 0.5, 10
    a, b = rate * (1 - icc) / icc, (1 - rate) * (1 - icc) / icc
    sizes = np.full(cases, float(SAMPLES))
    alarms = 0
    pairs = 400
    for _ in range(pairs):
        base = rng.binomial(SAMPLES, rng.beta(a, b, size=cases)).astype(float)
        cand = rng.binomial(SAMPLES, rng.beta(a, b, size=cases)).astype(float)
        result = clustered_two_proportion(base, sizes, cand, sizes)
        alarms += result.p_value is not None and result.p_value < 0.05
    # 0.05 with 400 pairs: above 0.08 about one seed in a hundred.
    assert alarms / pairs <= 0.08, alarms / pairs


def test_a_real_large_change_is_still_found() -> None:
    every_case = clustered_two_proportion(*_cases(), *_cases(*[5] * 10))
    assert every_case.p_value is not None and every_case.p_value < 0.001, every_case
    shifted = clustered_two_proportion(*_cases(*[1] * 10, samples=5), *_cases(*[4] * 10, samples=5))
    assert shifted.p_value is not None and shifted.p_value < 0.001, shifted
    assert shifted.diff > 0.59
    assert shifted.ci_low is not None and shifted.ci_low > 0, shifted


def test_both_runs_without_a_hit_bound_the_difference_by_their_cases_not_their_samples() -> None:
    """Ten cases of ten samples, no hit in either run: the interval was Newcombe's at the
    Korn-Graubard effective n (77 of 100, as if the samples were independent), [-0.048, 0.048].
    No hit shows nothing of how a case's samples agree; where they agree wholly (a prompt the
    target always or never fails), a rate of 0.05 leaves all ten cases without a hit 60% of the
    time, and that interval covered 0.05 in 0.41 of draws (ICC 1), 0.67 at ICC 0.5. The bound
    that holds whatever the correlation is Clopper-Pearson's for 0 of k cases, 1 - 0.025^(1/k):
    0.308 for ten cases, 0.842 for two (narrower there than the 0.876 given before)."""
    ten = clustered_two_proportion(*_cases(), *_cases())
    u = 1 - 0.025 ** (1 / 10)
    assert ten.p_value == 1.0 and ten.diff == 0.0
    assert ten.ci_low is not None and ten.ci_high is not None
    assert abs(ten.ci_low + u) < 1e-12 and abs(ten.ci_high - u) < 1e-12, ten
    two = clustered_two_proportion(*_cases(cases=2), *_cases(cases=2))
    assert two.ci_high is not None and abs(two.ci_high - (1 - 0.025**0.5)) < 1e-12, two
    # unequal runs: each side is the other run's bound; all hits mirror all misses
    full = clustered_two_proportion(
        np.full(3, 4.0), np.full(3, 4.0), np.full(20, 3.0), np.full(20, 3.0)
    )
    assert full.ci_low is not None and full.ci_high is not None
    assert abs(full.ci_low + (1 - 0.025 ** (1 / 20))) < 1e-12, full
    assert abs(full.ci_high - (1 - 0.025 ** (1 / 3))) < 1e-12, full
    assert "over 3 and 20 cases" in full.method and "Clopper-Pearson" in full.method, full.method
