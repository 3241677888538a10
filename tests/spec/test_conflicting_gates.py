"""Two gates on one metric whose thresholds no figure can meet together: one gate's ``min``
above another's ``max`` (on a figure no lower: the point, or a lower bound against an upper).

Observed: ``{metric: r, min: 0.8}`` beside ``{metric: r, max: 0.2, bound: upper}`` passed
``validate`` (one gate with ``min: 0.8, max: 0.2`` is refused), so every run failed whatever
the model did: a gate pair that measures nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite
from tests.testing.cli import run_cli

SUITE = (
    "suite: x\ncases: [{{id: a, prompt: hi}}]\nmetrics:\n  - {{id: r, rate: error}}\n"
    "gates:\n{gates}"
)


@pytest.mark.parametrize(
    "gates",
    [
        ["{metric: r, min: 0.8}", "{metric: r, max: 0.2}"],
        ["{metric: r, max: 0.2, bound: upper}", "{metric: r, min: 0.8}"],
        ["{metric: r, min: 0.8, bound: lower}", "{metric: r, max: 0.2, bound: upper}"],
        ["{metric: r, min: 0.8, bound: lower}", "{metric: r, max: 0.5, min: 0.1}"],
    ],
)
def test_gates_no_figure_can_meet_together_are_refused(write, gates: list[str]) -> None:
    path = write("s.yaml", SUITE.format(gates="".join(f"  - {g}\n" for g in gates)))
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    issues = info.value.issues
    assert len(issues) == 1, [str(i) for i in issues]
    issue = issues[0]
    assert issue.line == 7, str(issue)
    assert "gates[0]" in issue.message and "can never pass together" in issue.message, str(issue)


@pytest.mark.parametrize(
    "gates",
    [
        ["{metric: r, min: 0.2}", "{metric: r, max: 0.8}"],
        ["{metric: r, min: 0.5}", "{metric: r, max: 0.5}"],
        # A wide interval can hold both: an upper bound at least 0.8, a lower at most 0.2.
        ["{metric: r, min: 0.8, bound: upper}", "{metric: r, max: 0.2, bound: lower}"],
    ],
)
def test_gates_a_figure_can_meet_together_pass(write, gates: list[str]) -> None:
    load_suite(write("s.yaml", SUITE.format(gates="".join(f"  - {g}\n" for g in gates))))


def test_validate_names_the_conflict_in_one_line(tmp_path: Path) -> None:
    text = SUITE.format(gates="  - {metric: r, min: 0.8}\n  - {metric: r, max: 0.2}\n")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    lines = [line for line in out.splitlines() if line.startswith("s.yaml:7: gates[1]")]
    assert len(lines) == 1 and "can never pass together" in lines[0], out
    assert "Traceback" not in out, out
