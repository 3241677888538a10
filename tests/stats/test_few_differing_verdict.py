"""With fewer than 10 cases whose value differs between two runs, a paired comparison's
verdict rests on a sign-flip test, never on the bootstrap, whose percentile interval is too
narrow there (BENCHMARKS.md: 0.874 coverage at 95% for rates 0.02 -> 0.06 over 50 cases).

Observed: two samples a case, 200 cases; four cases toxic in the candidate that were not in
the baseline, and 15 cases whose second sample errored in the candidate (fewer rows, the same
value). The exact sign-flip test enumerates at most 14 changed cases, and these 19 (values or
rows) were too many, so the p-value was the bootstrap's: 0.042, a "regression" at 0.05 on
four cases moving one way, which chance alone does about one time in eight. With 10 such
cases (14 changed) the exact test applied, but swapped each case's rows with its value, and
every swap moving a lost row read "nearer none": p = 0.0001. The test now swaps the cases'
values (each run keeps its rows), so only the cases that differ in value are swapped, and
the exact test judges every comparison of fewer than 10 of them."""

from __future__ import annotations

import pytest

from assurance_harness.stats.twosample import paired_bootstrap

BASE = [(0.0, 2)] * 200


@pytest.mark.parametrize("short", [10, 15])
def test_cases_a_sample_short_do_not_make_four_flips_significant(short: int) -> None:
    """With 15 short the exact test did not apply (19 changed) and the bootstrap gave 0.042;
    with 10 short it did (14 changed), swapping rows with values: p = 0.0001, as a lost row
    moved each swap "nearer none" than the observed arrangement."""
    cand = [(2.0, 2)] * 4 + [(0.0, 1)] * short + [(0.0, 2)] * (196 - short)
    result = paired_bootstrap(BASE, cand, seed=0, resamples=2000)
    # Four cases up, none down: 2 of the 16 ways to swap their values are as far from none.
    assert result.p_value == pytest.approx(2 / 16), result
    assert "exact sign-flip test over the 4 cases that differ" in result.method, result.method
    assert "the verdict rests on it, not on the interval" in result.method, result.method


def test_the_exact_test_says_the_verdict_is_its_own_where_few_cases_differ() -> None:
    few = paired_bootstrap([(0.0, 1)] * 50, [(1.0, 1)] * 4 + [(0.0, 1)] * 46, resamples=200)
    assert few.p_value == pytest.approx(2 / 16)
    assert "exact sign-flip test over the 4 cases that differ" in few.method, few.method
    assert "the verdict rests on it, not on the interval" in few.method, few.method
