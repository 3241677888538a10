"""An expander selection that names what is not there, or leaves the expander nothing to
vary, is refused at ``validate``: silently it measured less than the suite says (a misspelt
attack category dropped its wrappers; a BOLD template without ``{prompt}`` sent one sentence
for every prompt; ``only: []`` expanded every axis; templates written with another placeholder
syntax passed through unexpanded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli

BOLD = '{"G1": {"jane": ["Jane is a"]}, "G2": {"bob": ["Bob was"]}}'
AXES = "axes: {g: {groups: {x: {person: a girl}, y: {person: a boy}}}}"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            "cases: [{id: a, prompt: hi}]\n"
            "expand: [{use: attack, with: {categories: [role-play, rol-play]}}]\n",
            "unknown attack category 'rol-play'",
        ),
        (
            "cases: []\nexpand: [{use: bold, with: {files: [b_prompt.json], groups: [G1, G3]}}]\n",
            "group 'G3'",
        ),
        (
            "cases: []\n"
            "expand: [{use: bold, with: {files: [b_prompt.json], template: 'Say hello'}}]\n",
            "{prompt}",
        ),
        (
            "cases: [{id: a, prompt: 'hi {person}'}]\n"
            f"expand: [{{use: counterfactual, with: {{{AXES}, only: []}}}}]\n",
            "only",
        ),
        (
            "cases: [{id: a, prompt: 'hi [person]'}, {id: b, prompt: 'hi <person>'}]\n"
            f"expand: [{{use: counterfactual, with: {{{AXES}}}}}]\n",
            "no case is a template",
        ),
    ],
)
def test_a_selection_that_measures_less_than_it_says_fails_validate(
    tmp_path: Path, body: str, says: str
) -> None:
    (tmp_path / "b_prompt.json").write_text(BOLD)
    (tmp_path / "s.yaml").write_text("suite: s\n" + body + "metrics: [{id: failed, rate: error}]\n")
    proc = run_cli("validate", "s.yaml", cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert says in output and "s.yaml" in output, output
    assert "internal error" not in output, output
