"""Runs made before a ``paired`` group with no value on any of its rows (every request about it
failed) left the delta without a figure (2026-12-07) measured the groups left. Such a run's
summary is not an edit: measured again today it has no figure, and it was refused as one
("summary.json states 0 but its results give null"), old evidence read as tampered with. It is
measured as it was made, without that group's rows; a gate that failed so attaches as the
failure it recorded, but one that passed so is no evidence of a pass (the group was never
measured), as for the other figures earlier versions published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.errors import UsageError

from .made_before import attach, run_project, write_as_made_before, write_register

SUITE = """suite: pn
version: 1.0.0
max_error_rate: 0.5
evidence_for: [R-902]
dataset: {path: cases.jsonl}
expand: [{use: perturb, with: {operators: [typo, uppercase]}}]
scorers: [{id: len, use: length}]
metrics:
  - id: delta
    paired: {value: len.words, pair_by: meta.source_id, group: meta.perturbation,
             reference: none, skip_unchanged: false}
  - id: without_typo
    paired: {value: len.words, pair_by: meta.source_id, group: meta.perturbation,
             reference: none, skip_unchanged: false}
    where: "meta.perturbation != 'typo'"
gates:
  - {metric: delta, max: LIMIT}
  - {metric: without_typo, max: LIMIT}
"""


def _project(root: Path, limit: float) -> Path:
    """Four prompts with a typo and an uppercase variant each; the typo variants are not
    recorded (each request fails: the typo group has no value), the uppercase ones are
    answered 2 words longer than their originals (the delta without typo: 1.0, each pair's
    mean in between)."""
    cases = [(f"s{i}", f"Please explain photosynthesis number {i}") for i in range(4)]
    records = []
    for case_id, _ in cases:
        records.append({"id": case_id, "response": "fine"})
        records.append({"id": f"{case_id}~uppercase#0", "response": "fine fine fine"})
    (root / "cases.jsonl").write_text(
        "".join(json.dumps({"id": i, "prompt": p}) + "\n" for i, p in cases)
    )
    (root / "rec.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (root / "t.yaml").write_text("name: pn\ntype: replay\npath: rec.jsonl\n")
    (root / "s.yaml").write_text(SUITE.replace("LIMIT", str(limit)))
    write_register(root, risk="R-902", suite="pn", title="Perturbations change the answer")
    return run_project(root)


def _as_made_before(run_dir: Path) -> dict:
    """summary.json as a run made before the rule wrote it: ``delta``'s figures and gate those
    of the groups left (``without_typo``'s)."""
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text())
    metrics = summary["metrics"]
    assert metrics["delta"]["value"] is None
    assert metrics["delta"]["details"]["groups_without_data"] == ["typo"]
    assert metrics["without_typo"]["value"] is not None
    metrics["delta"] = {**metrics["without_typo"], "spec": metrics["delta"]["spec"]}
    delta_gate, kept_gate = summary["gates"]
    summary["gates"][0] = {**kept_gate, "metric": "delta", "id": delta_gate["id"]}
    passed = all(g["verdict"] == "pass" for g in summary["gates"])
    summary["status"] = "passed" if passed else "gates_failed"
    summary["exit_code"] = 0 if passed else 1
    write_as_made_before(run_dir, summary)
    return summary


def test_a_gate_that_failed_on_the_groups_left_attaches(tmp_path: Path) -> None:
    run_dir = _project(tmp_path, 0.5)
    summary = _as_made_before(run_dir)
    assert summary["gates"][0]["verdict"] == "fail"
    records = attach(tmp_path, run_dir)
    assert records and all(r.verdict == "fail" for r in records)


def test_a_gate_that_passed_on_them_is_no_evidence_of_a_pass(tmp_path: Path) -> None:
    run_dir = _project(tmp_path, 5)
    summary = _as_made_before(run_dir)
    assert summary["gates"][0]["verdict"] == "pass"
    with pytest.raises(UsageError, match=r"delta.*typo.*no evidence"):
        attach(tmp_path, run_dir)


def test_an_edited_figure_is_still_refused(tmp_path: Path) -> None:
    run_dir = _project(tmp_path, 0.5)
    summary = _as_made_before(run_dir)
    summary["metrics"]["delta"]["value"] = 0.7
    write_as_made_before(run_dir, summary)
    with pytest.raises(Exception, match=r"summary.json: metric 'delta' .* cannot be attached"):
        attach(tmp_path, run_dir)
