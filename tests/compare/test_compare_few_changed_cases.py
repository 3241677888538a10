"""A regression resting on a handful of cases is judged by an exact test, not the bootstrap.

Observed: two runs of one toxicity suite over the same 200 cases; four cases toxic in the
candidate that were not in the baseline, every other case alike. ``compare`` said
``regressed`` (p = 0.04, paired bootstrap), exit 1. Four cases changing, all one way, happen
one time in eight by chance alone (each way equally likely: 2 / 2^4), as a target sampled at
a temperature flips a few borderline cases every night: the bootstrap's percentile interval
is too narrow with so few cases that differ (BENCHMARKS: 0.875 coverage), and its p-value
fired the nightly gate on noise. With few cases that differ, the p-value is the exact
sign-flip test's over them (every way of swapping their two runs' values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.compare.engine import compare_runs
from assurance_harness.report.rundata import load_run
from assurance_harness.stats.twosample import paired_bootstrap
from tests.testing.cli import invoke_in_process

from ..report.runfixtures import toxicity_run


@pytest.mark.parametrize(
    ("changed", "verdict", "p_value"), [(4, "unchanged", 2 / 2**4), (6, "regressed", 2 / 2**6)]
)
def test_a_few_cases_changing_one_way(
    tmp_path: Path, changed: int, verdict: str, p_value: float
) -> None:
    base = load_run(toxicity_run(tmp_path, "base", set()))
    cand = load_run(toxicity_run(tmp_path, "cand", set(range(changed))))
    result = compare_runs(base, cand)
    assert result.paired
    (m,) = result.metrics
    assert m.test is not None and m.test.p_value == pytest.approx(p_value), m.test
    assert f"exact sign-flip test over the {changed} cases that differ" in m.test.method
    assert m.verdict == verdict and result.exit_code == (1 if verdict == "regressed" else 0)


def test_the_exact_p_value_counts_the_swaps_as_far_from_none() -> None:
    """Two cases up, one down (of ten): the eight ways to swap the three cases' values give
    differences of -3, -1, 1 or 3 tenths, each at least the observed tenth away from none."""
    base = [(0.0, 1), (0.0, 1), (1.0, 1), *[(0.0, 1)] * 7]
    cand = [(1.0, 1), (1.0, 1), (0.0, 1), *[(0.0, 1)] * 7]
    mixed = paired_bootstrap(base, cand, resamples=200)
    assert mixed.diff == pytest.approx(0.1) and mixed.p_value == pytest.approx(1.0)
    one_way = paired_bootstrap([(0.0, 1)] * 10, [(1.0, 1)] * 3 + [(0.0, 1)] * 7, resamples=200)
    assert one_way.p_value == pytest.approx(2 / 2**3)


def test_the_table_says_why_an_interval_clear_of_none_is_unchanged(tmp_path: Path) -> None:
    """The bootstrap's interval of four changed cases misses 0 ([0.005, 0.04]) beside
    "unchanged": the method line, printed for significant verdicts only, is printed where the
    exact test judged, so the table does not read as contradicting itself."""
    toxicity_run(tmp_path, "base", set())
    toxicity_run(tmp_path, "cand", set(range(4)))
    shown = invoke_in_process(["compare", "base", "cand", "--reports", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert "exact sign-flip test over the 4 cases that differ" in shown.output, shown.output
