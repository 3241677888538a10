"""A gate on a kind whose values are bounded (a rate is a share from 0 to 1) with a threshold
no value can meet is refused at ``validate`` on its line (issue 12, "nothing that would measure
nothing"). Observed: ``min: 90`` on a rate, meant as 90%, passed ``validate`` and failed every
run whatever the system did."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.spec.test_non_finite_numbers import BASE
from tests.testing.cli import run_cli, validate_problem


@pytest.mark.parametrize(
    ("gate", "field", "words"),
    [
        ("{metric: r, min: 90}", "gates[0].min", "0.9 for 90%"),
        ("{metric: r, min: 1.5, bound: lower}", "gates[0].min", "at most 1"),
        ("{metric: r, max: -0.1}", "gates[0].max", "at least 0"),
        ("{metric: r, max: 5, min: 2}", "gates[0].min", "0.02 for 2%"),
    ],
)
def test_a_rate_gate_no_rate_can_meet_is_refused(
    tmp_path: Path, gate: str, field: str, words: str
) -> None:
    # A rate is a share from 0 to 1. 'min: 90' (meant as 90%) failed every run, whatever the
    # system did: a gate that measured nothing, passed by validate.
    (tmp_path / "s.yaml").write_text(BASE.format(extra="", gate=gate), encoding="utf-8")
    problem = validate_problem(tmp_path)
    assert problem.startswith("s.yaml:6: " + field), problem
    assert "can never" in problem and words in problem, problem


@pytest.mark.parametrize(
    "gate", ["{metric: r, min: 1}", "{metric: r, max: 0}", "{metric: r, max: 1}"]
)
def test_a_rate_gate_at_the_ends_of_its_range_is_accepted(tmp_path: Path, gate: str) -> None:
    # min: 1 (every row) and max: 0 (no row) are real demands; max: 1 gates only on there
    # being data (and on min_validity), as many suites use it.
    (tmp_path / "s.yaml").write_text(BASE.format(extra="", gate=gate), encoding="utf-8")
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
