"""The statistics: published reference values, and calibration under the null by simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from assurance_harness.stats import intervals
from assurance_harness.stats import twosample as stats


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Newcombe (1998), Statistics in Medicine 17:873, table II, method 10.
        ((48, 80), (56, 70), (0.0524, 0.3339)),
        ((3, 10), (9, 10), (0.1705, 0.8090)),
        ((0, 20), (0, 10), (-0.1611, 0.2775)),
    ],
)
def test_newcombe_interval_matches_published_values(
    a: tuple[int, int], b: tuple[int, int], expected: tuple[float, float]
) -> None:
    result = stats.two_proportion(a[0], a[1], b[0], b[1])
    assert result.ci_low == pytest.approx(expected[0], abs=6e-4)
    assert result.ci_high == pytest.approx(expected[1], abs=6e-4)


def test_two_proportion_z_test() -> None:
    result = stats.two_proportion(10, 100, 30, 100)
    assert result.diff == pytest.approx(0.2)
    # pooled p = 0.2, se = sqrt(0.2 * 0.8 * 0.02), z = 3.5355
    assert result.p_value == pytest.approx(2 * sps.norm.sf(0.2 / np.sqrt(0.0032)), rel=1e-9)
    assert stats.two_proportion(0, 50, 0, 80).p_value == 1.0


def test_welch_matches_scipy() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 40), rng.normal(0.5, 2, 60)
    result = stats.welch(a, b)
    reference = sps.ttest_ind(b, a, equal_var=False)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert result.ci_low < result.diff < result.ci_high


def test_holm_step_down() -> None:
    adjusted = stats.holm([0.01, 0.04, None, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, None, 0.06, 0.02])
    assert stats.holm([]) == []


def test_paired_bootstrap_identical_runs() -> None:
    """No case of 100 differs between the runs: every resample's difference is 0, and the
    bootstrap's interval was [0, 0], as if the runs could not differ at all. With rates (values
    in [0, 1]) a case's difference lies in [-1, 1] and the share of cases that would differ is
    at most 1 - 0.025^(1/100) = 0.0362 (Clopper-Pearson for 0 of 100): the interval is that."""
    cases = [(float(i % 3 == 0), 1) for i in range(100)]
    result = stats.paired_bootstrap(cases, cases, resamples=500, outcomes=True)
    assert result.diff == 0 and result.p_value == 1.0
    u = 1 - 0.025 ** (1 / 100)
    assert result.ci_low is not None and result.ci_high is not None
    assert abs(result.ci_low + u) < 1e-12 and abs(result.ci_high - u) < 1e-12, result
    assert "0 of 100 matched cases differ" in result.method, result.method
    # every case missed in both runs, several samples a case: the cases bound it, not the rows
    missed = [(0.0, 4)] * 10
    none = stats.paired_bootstrap(missed, missed, resamples=500, outcomes=True)
    assert none.ci_high is not None and abs(none.ci_high - (1 - 0.025 ** (1 / 10))) < 1e-12


def test_paired_bootstrap_bounds_no_differing_case_only_for_outcomes() -> None:
    """The exact bound for none of k cases differing needs every row value in [0, 1] by its
    scale (a rate's 0/1 outcomes), not as observed: a mean of VADER compound scores (in
    [-1, 1]) that happened to lie in [0, 1] in both runs would have a case's difference moving
    by up to 2, outside what the bound allows. Nor is the bootstrap's [0, 0] an interval there
    (every resample alike says nothing of cases that would differ): a mean gets none, and the
    method says why."""
    cases = [(0.25 + 0.5 * (i % 2), 1) for i in range(100)]
    result = stats.paired_bootstrap(cases, cases, resamples=500)
    assert "matched cases differ (0/1" not in result.method, result.method
    assert result.ci_low is None and result.ci_high is None, result
    assert "no interval: none of the 100 matched cases differs" in result.method, result.method
    assert result.diff == 0 and result.p_value == 1.0


def test_paired_bootstrap_point_estimate_with_samples() -> None:
    base = [(1.0, 3), (0.0, 3), (2.0, 2)]  # 3 of 8 rows
    cand = [(3.0, 3), (0.0, 3), (2.0, 2)]  # 5 of 8 rows
    result = stats.paired_bootstrap(base, cand, resamples=200)
    assert result.diff == pytest.approx(5 / 8 - 3 / 8)
    assert (result.n_baseline, result.n_candidate) == (8, 8)


def _paired_null_runs(rng: np.random.Generator, n: int) -> tuple[list, list]:
    """Two runs of the same system: each case has its own latent rate, drawn twice."""
    latent = rng.beta(0.5, 4.0, n)
    first = (rng.random(n) < latent).astype(float)
    second = (rng.random(n) < latent).astype(float)
    return [(v, 1) for v in first], [(v, 1) for v in second]


def test_false_positive_rates_are_near_alpha() -> None:
    """Under the null, each test rejects at about alpha = 0.05 (not wildly more)."""
    rng = np.random.default_rng(7)
    sims = 300
    z_rejections = 0
    for _ in range(sims):
        a, b = rng.binomial(200, 0.1), rng.binomial(200, 0.1)
        z_rejections += stats.two_proportion(int(a), 200, int(b), 200).p_value < 0.05
    boot_rejections = 0
    boot_sims = 150
    for i in range(boot_sims):
        base, cand = _paired_null_runs(rng, 150)
        boot_rejections += stats.paired_bootstrap(base, cand, seed=i, resamples=400).p_value < 0.05
    assert z_rejections / sims < 0.09
    assert boot_rejections / boot_sims < 0.11


def test_power_against_a_real_regression() -> None:
    rng = np.random.default_rng(11)
    sims = 100
    caught = 0
    for _ in range(sims):
        a, b = rng.binomial(300, 0.05), rng.binomial(300, 0.15)
        caught += stats.two_proportion(int(a), 300, int(b), 300).p_value < 0.05
    assert caught / sims > 0.9


def test_from_intervals_normal_approximation() -> None:
    result = stats.from_intervals(0.5, 0.4, 0.6, 100, 0.68, 0.58, 0.78, 100)
    se = 0.1 / intervals.z_value(0.95)
    assert result.p_value == pytest.approx(2 * sps.norm.sf(0.18 / np.sqrt(2 * se * se)))


def test_paired_bootstrap_says_approximate_when_few_cases_differ() -> None:
    from assurance_harness.stats.twosample import paired_bootstrap

    base = [(0.0, 1)] * 48 + [(1.0, 1)] * 2
    cand = [(0.0, 1)] * 46 + [(1.0, 1)] * 4
    few = paired_bootstrap(base, cand, seed=0, resamples=200)
    assert few.method.endswith("approximate: only 2 cases differ between the runs (needs >= 10)")
    many = paired_bootstrap(base, [(1.0, 1)] * 20 + [(0.0, 1)] * 30, seed=0, resamples=200)
    assert "approximate" not in many.method


def test_paired_bootstrap_counts_only_cases_with_rows_in_both_runs_as_matched() -> None:
    """Observed: 6 of 60 cases had no row in the candidate (its requests failed); the method
    said "over 60 matched cases; approximate: only 6 cases differ between the runs", where 54
    were matched and not one of them differed (the six were counted as differing)."""
    from assurance_harness.stats.twosample import paired_bootstrap

    base = [(float(i % 5 == 0), 1) for i in range(60)]
    cand = [(s, 0 if i < 6 else 1) for i, (s, _) in enumerate(base)]
    cand = [(0.0 if c == 0 else s, c) for s, c in cand]
    result = paired_bootstrap(base, cand, seed=1, resamples=500)
    assert "over 54 matched cases" in result.method, result.method
    assert "6 cases with rows in one run only" in result.method, result.method
    assert "only 0 cases differ" in result.method, result.method
