"""With fewer than 10 cases whose value differs between two runs, a paired comparison's
verdict rests on a sign-flip test, never on the bootstrap, whose percentile interval is too
narrow there (BENCHMARKS.md: 0.874 coverage at 95% for rates 0.02 -> 0.06 over 50 cases).

Observed: two samples a case, 200 cases; four cases toxic in the candidate that were not in
the baseline, and 15 cases whose second sample errored in the candidate (fewer rows, the same
value). The exact sign-flip test enumerates at most 14 changed cases, and these 19 (values or
rows) were too many, so the p-value was the bootstrap's: 0.042, a "regression" at 0.05 on
four cases moving one way, which chance alone does about one time in eight."""

from __future__ import annotations

import pytest

from assurance_harness.stats.twosample import paired_bootstrap

BASE = [(0.0, 2)] * 200
FLIPPED_AND_SHORT = [(2.0, 2)] * 4 + [(0.0, 1)] * 15 + [(0.0, 2)] * 181


def test_few_differing_cases_among_many_changed_ones_get_a_sign_flip_p_value() -> None:
    result = paired_bootstrap(BASE, FLIPPED_AND_SHORT, seed=0, resamples=2000)
    # Four cases up, none down: 2 of the 16 ways to swap them are as far from none; the 15
    # cases of fewer rows barely move the ratios.
    assert result.p_value == pytest.approx(2 / 16, abs=0.03), result
    assert "sign-flip test" in result.method and "19 cases" in result.method, result.method
    assert "the verdict rests on it, not on the interval" in result.method, result.method
    again = paired_bootstrap(BASE, FLIPPED_AND_SHORT, seed=0, resamples=2000)
    assert again.p_value == result.p_value  # seeded


def test_the_exact_test_says_the_verdict_is_its_own_where_few_cases_differ() -> None:
    few = paired_bootstrap([(0.0, 1)] * 50, [(1.0, 1)] * 4 + [(0.0, 1)] * 46, resamples=200)
    assert few.p_value == pytest.approx(2 / 16)
    assert "exact sign-flip test over the 4 cases that differ" in few.method, few.method
    assert "the verdict rests on it, not on the interval" in few.method, few.method
