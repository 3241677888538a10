"""A dataset column named ``perturbation`` (a hand-written label of how a prompt was varied)
lands in case metadata, where the robustness expanders read it as their own mark of a variant:
``perturb`` and ``attack`` passed such a case through unexpanded, so it was sent once, never
perturbed or attacked, while ``validate`` called the suite valid. Expanders write ``source_id``
beside ``perturbation`` on every case they make; a case with one and not the other came from
the data, and is refused at its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli

DATA = (
    '{"id": "a", "prompt": "Describe how volcanoes erupt in simple words"}\n'
    '{"id": "b", "prompt": "Explain how rainbows form after rain", "perturbation": "none"}\n'
)
SUITE = """suite: s
dataset: {path: d.jsonl, fields: {id: id, prompt: prompt}}
expand: [EXPANDER]
scorers: [{id: ref, use: refusal}]
metrics: [{id: flips, flip-rate: {value: ref.is_refusal}}]
"""


@pytest.mark.parametrize(
    "expander",
    ["{use: perturb, with: {operators: [typo]}}", "{use: attack}"],
    ids=["perturb", "attack"],
)
def test_a_case_marked_perturbation_by_its_data_fails_validate(
    tmp_path: Path, expander: str
) -> None:
    (tmp_path / "d.jsonl").write_text(DATA)
    (tmp_path / "s.yaml").write_text(SUITE.replace("EXPANDER", expander))
    proc = run_cli("validate", "s.yaml", cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output, output
    assert "d.jsonl:2" in output and "'b'" in output and "perturbation" in output, output
