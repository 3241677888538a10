"""A paired delta over perturbation variants leaves out the variants their operator did not
change (``perturbation_changed: false``), as the flip rate does: each is its original sent
again, a delta of zero that tested nothing, and averaged in it pulled the operator's delta
toward zero (two prompts moved by 4 words and eight unchanged read 0.8, under a gate of 1)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.metrics.columns_check import compare_with_rows
from tests.metrics.typo_variants import PAIRED_METRICS, write_typo_project
from tests.testing.cli import run_cli

SUITE = """suite: pr
dataset: {path: cases.jsonl}
expand: [{use: perturb, with: {operators: [typo]}}]
scorers: [{id: len, use: length}]
"""
SUITE += PAIRED_METRICS + "gates:\n  - {metric: delta, max: 1}\n"


def test_unchanged_variants_are_left_out_of_a_paired_delta_and_counted(tmp_path: Path) -> None:
    write_typo_project(tmp_path)  # two prompts the typo operator changes, eight it cannot
    (tmp_path / "s.yaml").write_text(SUITE)
    proc = run_cli("run", "s.yaml", "--target", "t.yaml", "--reports", "rep", cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output  # the gate fails: the operator moved what it changed
    summary = json.loads(next((tmp_path / "rep").glob("*/summary.json")).read_text())
    delta = summary["metrics"]["delta"]
    assert delta["value"] == 4.0 and delta["details"]["n_unchanged"] == 8, delta
    assert delta["details"]["n_pairs"] == 2, delta
    kept = summary["metrics"]["kept"]  # told to keep them, it counts them as before
    assert kept["value"] == 0.8 and "n_unchanged" not in kept["details"], kept


def test_the_columns_leave_out_the_same_variants(write) -> None:
    rng = random.Random(5)
    rows = []
    for source in range(60):
        for case_id, meta in [
            (f"{source}", {"perturbation": "none", "original": True}),
            *[
                (
                    f"{source}~{op}#0",
                    {"perturbation": op, "perturbation_changed": rng.random() < 0.6},
                )
                for op in ("typo", "leetspeak")
            ],
        ]:
            rows.append(
                {
                    "case_id": case_id,
                    "sample": 0,
                    "response": "r",
                    "error": None,
                    "expected": {},
                    "metadata": {**meta, "source_id": f"{source}", "v": rng.random()},
                    "scores": {},
                }
            )
    suite = """suite: p
cases: [{id: a, prompt: x}]
metrics:
  - {id: delta, paired: {value: meta.v, pair_by: meta.source_id, group: meta.perturbation,
                         reference: none}}
  - {id: kept, paired: {value: meta.v, pair_by: meta.source_id, group: meta.perturbation,
                        reference: none, skip_unchanged: false}}
gates:
  - {metric: delta, max: 0.0, each_group: true}
  - {metric: kept, max: 0.0, each_group: true}
"""
    got, verdicts = compare_with_rows(write("p.yaml", suite), rows, samples=1, chunk=17, seed=1)
    unchanged = sum(r["metadata"].get("perturbation_changed") is False for r in rows)
    assert got["delta"].details["n_unchanged"] == unchanged > 0
    moved = {r["metadata"]["source_id"] for r in rows if r["metadata"].get("perturbation_changed")}
    assert got["delta"].details["n_pairs"] == len(moved) < 60
    assert got["kept"].details["n_pairs"] == 60
    assert sum(len(v["worst_cases"]) for v in verdicts) > 10


def test_a_stratum_whose_variants_are_all_unchanged_fails_validate(tmp_path: Path) -> None:
    """Its variants are left out, so it holds no pair on any run: the metric never has a
    figure, and ``validate`` says so as it does for any stratum without a pair."""
    (tmp_path / "s.yaml").write_text(
        "suite: st\ncases:\n"
        "  - {id: a, prompt: 'Please explain photosynthesis', metadata: {kind: x}}\n"
        "  - {id: b, prompt: '7 x 8', metadata: {kind: y}}\n"
        "expand: [{use: perturb, with: {operators: [typo]}}]\n"
        "scorers: [{id: len, use: length}]\n"
        "metrics:\n  - id: delta\n    paired: {value: len.words, pair_by: meta.source_id,\n"
        "             group: meta.perturbation, reference: none, within: meta.kind}\n"
    )
    proc = run_cli("validate", "s.yaml", cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "'y'" in output and "s.yaml:" in output and "Traceback" not in output, output
