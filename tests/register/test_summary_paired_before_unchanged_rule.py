"""Runs made before a ``paired`` delta left out the variants their operator did not change
(``skip_unchanged``, 2026-12-07) averaged them in, as zeros. Such a run's summary is not an
edit: measured again with today's default it gives another figure, and it was refused as one
("summary.json states 0.8 but its results give 4.0"), old evidence read as tampered with. It
is measured as it was made, with the variants in; a gate that failed on that figure attaches
as the failure it recorded, but one that passed on it is no evidence of a pass (the zeros
pulled the delta toward it), as for the other figures earlier versions published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.errors import UsageError

from ..metrics.typo_variants import PAIRED_METRICS, write_typo_project
from .made_before import attach, run_project, write_as_made_before, write_register

SUITE = """suite: pr
version: 1.0.0
evidence_for: [R-900]
dataset: {path: cases.jsonl}
expand: [{use: perturb, with: {operators: [typo]}}]
scorers: [{id: len, use: length}]
"""
SUITE += (
    PAIRED_METRICS + "gates:\n  - {metric: delta, max: LIMIT}\n  - {metric: kept, max: LIMIT}\n"
)


def _project(root: Path, limit: float) -> Path:
    """The typo project (``write_typo_project``): the delta is 4.0 without the unchanged
    variants and 0.8 with them as zeros."""
    write_typo_project(root)
    (root / "s.yaml").write_text(SUITE.replace("LIMIT", str(limit)))
    write_register(root, risk="R-900", suite="pr", title="Typos change the answer")
    return run_project(root)


def _as_made_before(run_dir: Path) -> dict:
    """summary.json as a run made before the rule wrote it: ``delta``'s figures and gate those
    the variants in gave (``kept``'s, told to keep them)."""
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text())
    metrics = summary["metrics"]
    assert metrics["delta"]["value"] == 4.0 and metrics["kept"]["value"] == 0.8
    metrics["delta"] = {**metrics["kept"], "spec": metrics["delta"]["spec"]}
    delta_gate, kept_gate = summary["gates"]
    summary["gates"][0] = {**kept_gate, "metric": "delta", "id": delta_gate.get("id")}
    if summary["gates"][0]["id"] is None:
        summary["gates"][0].pop("id")
    passed = all(g["verdict"] == "pass" for g in summary["gates"])
    summary["status"] = "passed" if passed else "gates_failed"
    summary["exit_code"] = 0 if passed else 1
    write_as_made_before(run_dir, summary)
    return summary


def test_a_gate_that_failed_on_the_figure_with_the_unchanged_variants_attaches(
    tmp_path: Path,
) -> None:
    run_dir = _project(tmp_path, 0.5)  # 0.8 fails it, as 4.0 does
    summary = _as_made_before(run_dir)
    assert summary["gates"][0]["verdict"] == "fail"
    records = attach(tmp_path, run_dir)
    assert records and all(r.verdict == "fail" for r in records)


def test_a_gate_that_passed_on_it_is_no_evidence_of_a_pass(tmp_path: Path) -> None:
    run_dir = _project(tmp_path, 1)  # 0.8 passes it; 4.0, without the zeros, does not
    summary = _as_made_before(run_dir)
    assert summary["gates"][0]["verdict"] == "pass"
    with pytest.raises(UsageError, match=r"delta.*unchanged.*no evidence"):
        attach(tmp_path, run_dir)


def test_an_edited_figure_is_still_refused(tmp_path: Path) -> None:
    run_dir = _project(tmp_path, 0.5)
    summary = _as_made_before(run_dir)
    summary["metrics"]["delta"]["value"] = 0.7
    write_as_made_before(run_dir, summary)
    with pytest.raises(Exception, match=r"summary.json: metric 'delta' .* cannot be attached"):
        attach(tmp_path, run_dir)
