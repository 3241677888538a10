"""The figures a comparison shows beside a difference are the ones its test compared.
Observed: a suite of 200 cases, none toxic, with 30 new toxic cases added before the candidate
ran. The paired test compared the 200 cases both runs asked (difference +0, unchanged), but
the table showed the baseline's 0 (n=200) beside the candidate's 0.1304 (n=230): the two
figures differ by 0.13 while the difference column says 0, and nothing said which cases each
figure counts. The figures are now those of the compared cases, labelled, with the whole
run's beside them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assurance_harness.compare.engine import compare_runs
from assurance_harness.report.rundata import load_run
from tests.testing.cli import invoke_in_process

from ..report.runfixtures import toxicity_run


def test_the_figures_are_the_compared_cases(tmp_path: Path) -> None:
    toxicity_run(tmp_path, "base", {1, 2}, n_cases=200)
    toxicity_run(tmp_path, "cand", {1, 2, *range(200, 230)}, n_cases=230)
    result = compare_runs(load_run(tmp_path / "base"), load_run(tmp_path / "cand"))
    (m,) = result.metrics
    assert m.test is not None and m.baseline is not None and m.candidate is not None
    assert m.candidate["value"] == pytest.approx(2 / 200), m.candidate
    assert m.test.diff == pytest.approx(m.candidate["value"] - m.baseline["value"])
    assert m.candidate["cases"] == m.baseline["cases"] == 200
    assert m.candidate["whole_run"]["value"] == pytest.approx(32 / 230)
    assert m.candidate["whole_run"]["n"] == 230

    args = ["compare", "base", "cand", "--reports", str(tmp_path)]
    shown = invoke_in_process([*args, "-o", str(tmp_path / "c.md")])
    assert shown.exit_code == 0, shown.output
    flat = " ".join(shown.output.split())
    markdown = (tmp_path / "c.md").read_text(encoding="utf-8")
    for text in (flat, markdown):
        assert "on the 200 cases compared" in text, text
    assert "whole run 0.1391" in markdown, markdown
    # the terminal's 200 columns wrap the candidate's cell (no case differs, so the difference
    # shows the exact bound for none of 200, wider than [0, 0]): its two lines, in turn
    assert re.search(r"whole run\b.*\b0\.1391 \[0\.1003, 0\.1898\]", flat), flat


def test_runs_of_the_same_cases_show_their_figures_as_recorded(tmp_path: Path) -> None:
    toxicity_run(tmp_path, "base", {1, 2}, n_cases=50)
    toxicity_run(tmp_path, "cand", {1, 2, 3}, n_cases=50)
    (m,) = compare_runs(load_run(tmp_path / "base"), load_run(tmp_path / "cand")).metrics
    assert m.candidate is not None and "whole_run" not in m.candidate and "cases" not in m.candidate
    assert m.candidate["ci_low"] is not None
