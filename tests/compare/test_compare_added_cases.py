"""Cases added to a suite are left out of the tests, not read as the target's regression.

Observed: a nightly suite of 200 cases, none toxic; 30 new, harder cases added to it, every
old case answered as before. ``assurance compare`` tested all 200 against all 230, unpaired:
"toxic_rate 0 -> 0.13, regressed", exit 1, beside "the runs do not have the same cases;
tests are unpaired". The 200 cases both runs asked were alike: the change was the suite's.
Where one run's cases are the other's plus or less some (no id asked with another prompt),
the cases in both are compared case by case, and the note and a warning count the rest."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.compare.engine import compare_runs
from assurance_harness.report.rundata import load_run

from ..report.runfixtures import toxicity_run


def test_added_cases_are_left_out_of_a_paired_test(tmp_path: Path) -> None:
    base = load_run(toxicity_run(tmp_path, "base", set(), n_cases=200))
    cand = load_run(toxicity_run(tmp_path, "cand", set(range(200, 230)), n_cases=230))
    result = compare_runs(base, cand)
    assert result.paired
    (m,) = result.metrics
    assert m.verdict == "unchanged" and result.exit_code == 0, m
    assert m.test is not None and m.test.diff == 0, m.test
    assert "compared over 200 of 230 cases" in (m.note or ""), m.note
    (said,) = [w for w in result.warnings if "compared case by case" in w]
    assert "200 in both" in said and "30 only in the candidate" in said, said

    # A regression on the cases both asked is still found.
    worse = load_run(toxicity_run(tmp_path, "worse", set(range(40)), n_cases=230))
    again = compare_runs(base, worse)
    assert again.paired and again.metrics[0].verdict == "regressed", again.metrics[0]


def test_a_case_asked_with_another_prompt_leaves_the_tests_unpaired(tmp_path: Path) -> None:
    base = load_run(toxicity_run(tmp_path, "base", set(), n_cases=20))
    cand = load_run(
        toxicity_run(tmp_path, "cand", set(), n_cases=30, prompt_of=lambda i: f"P{i % 25}")
    )
    assert not compare_runs(base, cand).paired
