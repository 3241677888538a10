"""A gate checked per group whose overall figure has no bound (a paired gap whose furthest
stratum has no interval) is judged on its groups since 2026-12-07: a group whose own bound
breaks the limit fails it, and the groups without a figure are named. Runs made before recorded
such a gate ``no_data`` with no groups; they keep attaching (a failure either way, saying less
than the run showed), and a fresh run attaches as the failure its groups show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.register.evidence_record import EvidenceError

from .made_before import attach, run_project, write_as_made_before, write_register

SUITE = """suite: nb
version: 1.0.0
evidence_for: [R-902]
cases:
{cases}
scorers:
  - {{id: len, use: length}}
metrics:
  - id: gap
    paired: {{value: len.words, pair_by: meta.template, group: meta.group, within: meta.axis}}
gates:
  - {{metric: gap, max: {limit}, bound: lower}}
  - {{metric: gap, max: 1.0, bound: point}}
"""
EXTRA_WORDS = {"x": [6] * 6, "y": [3, 3, 3, 3, 3, 6]}
"""Words the first group of each axis's three gets over the others, template by template: in
``x`` always 6 (each pair's delta 4, so no variance and no interval), in ``y`` mostly 3 (deltas
2, 2, 2, 2, 2, 4: an interval, its lower bound 1.155)."""
SAME_DELTA = (
    "stratum 'x': no interval: all 6 pairs of group 'g1' have the same delta, so there is no "
    "variance to bound it by"
)
WRITTEN_BEFORE = {
    "id": "gap <= 1 (lower bound)",
    "metric": "gap",
    "max": 1.0,
    "min": None,
    "bound": "lower",
    "description": None,
    "checked": None,
    "verdict": "no_data",
    "value": 4.0,
    "ci_low": None,
    "ci_high": None,
    "n": 36,
    "failing_groups": [],
    "worst_cases": [],
    "no_data_reason": SAME_DELTA,
}
"""The gate summary.json recorded for this suite with ``max: 1`` when its run was made with the
code before the rule (835b7c89), key order included: stratum ``y``'s lower bound 1.155 broke the
limit, stratum ``x`` (the furthest, so the overall figure) had none, and neither was named."""


def write_project(root: Path, limit: float) -> None:
    """A paired gap over two axes of three groups (the gate on its lower bound at ``limit``):
    the furthest stratum ``x`` (its delta 4 in every pair) gives the overall figure and has no
    interval; stratum ``y`` (2.333) has one. Suite ``s.yaml``, replay target ``t.yaml``."""
    cases, records = [], []
    for axis, extra in EXTRA_WORDS.items():
        groups = [f"{'g' if axis == 'x' else 'h'}{i}" for i in (1, 2, 3)]
        for template, more in enumerate(extra):
            for first, group in enumerate(groups):
                case = f"{axis}{template}{group}"
                meta = f"axis: {axis}, template: t{template}, group: {group}"
                cases.append(f'  - {{id: {case}, prompt: "on {group}", metadata: {{{meta}}}}}')
                words = 5 + (more if first == 0 else 0)
                records.append({"id": case, "response": " ".join(["word"] * words)})
    (root / "rec.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (root / "t.yaml").write_text("name: nb\ntype: replay\npath: rec.jsonl\n")
    (root / "s.yaml").write_text(SUITE.format(limit=limit, cases="\n".join(cases)))


def _project(root: Path, limit: float) -> Path:
    """``write_project`` with a register linking the suite; its run folder."""
    write_project(root, limit)
    write_register(root, risk="R-902", suite="nb", title="Groups answered at unequal length")
    return run_project(root)


def _on_lower_bound(records: list[Any]) -> list[Any]:
    """The records of the gate on the lower bound."""
    return [r for r in records if r.gate_id.endswith("(lower bound)")]


def _as_made_before(run_dir: Path) -> dict[str, Any]:
    """summary.json as the code before the rule wrote it: the gate ``no_data`` on the overall
    figure alone, no group judged."""
    summary = json.loads((run_dir / "summary.json").read_text())
    gate = summary["gates"][0]
    gate.pop("groups_without_data", None)
    gate.update(verdict="no_data", failing_groups=[], worst_cases=[])
    assert summary["status"] == "gates_failed"  # no_data and fail alike
    write_as_made_before(run_dir, summary)
    return summary


def test_a_fresh_run_attaches_as_the_failure_its_groups_show(tmp_path: Path) -> None:
    run_dir = _project(tmp_path, 1.0)
    gate = json.loads((run_dir / "summary.json").read_text())["gates"][0]
    assert gate["verdict"] == "fail" and gate["checked"] is None
    assert gate["no_data_reason"] == SAME_DELTA
    assert gate["failing_groups"] == ["x", "y"] and gate["groups_without_data"] == ["x"]
    assert gate["worst_cases"]  # checked again at the attach, as any failed gate's
    records = _on_lower_bound(attach(tmp_path, run_dir))
    assert records and all(r.verdict == "fail" for r in records)
    label = "gap <= 1 (lower bound) (failing groups: y; without a figure: x)"
    assert {r.gate_label for r in records} == {label}


def test_a_run_made_before_with_no_data_on_the_overall_figure_attaches(tmp_path: Path) -> None:
    run_dir = _project(tmp_path, 1.0)
    summary = _as_made_before(run_dir)
    assert list(summary["gates"][0].items()) == list(WRITTEN_BEFORE.items())
    records = _on_lower_bound(attach(tmp_path, run_dir))
    assert records and all(r.verdict == "no_data" for r in records)


def test_a_run_made_before_whose_groups_all_had_no_figure_or_met_the_limit_attaches(
    tmp_path: Path,
) -> None:
    run_dir = _project(tmp_path, 3.0)
    gate = json.loads((run_dir / "summary.json").read_text())["gates"][0]
    assert gate["verdict"] == "no_data" and gate["groups_without_data"] == ["x"]
    _as_made_before(run_dir)
    records = _on_lower_bound(attach(tmp_path, run_dir))
    assert records and all(r.verdict == "no_data" for r in records)


def test_a_run_made_before_with_a_failing_group_dropped_is_refused(tmp_path: Path) -> None:
    """Only exactly what the old rule wrote attaches: no groups, or the rule of today's."""
    run_dir = _project(tmp_path, 1.0)
    summary = _as_made_before(run_dir)
    summary["gates"][0]["failing_groups"] = ["x"]
    write_as_made_before(run_dir, summary)
    with pytest.raises(EvidenceError, match=r"gate 'gap <= 1 \(lower bound\)'"):
        attach(tmp_path, run_dir)


def test_no_data_on_a_gate_whose_overall_figure_had_a_bound_is_refused(tmp_path: Path) -> None:
    """The old rule gave ``no_data`` only where the overall figure had no bound: the point
    gate beside it (4 overall, both strata over ``max: 1``) failed then as now."""
    run_dir = _project(tmp_path, 1.0)
    summary = _as_made_before(run_dir)
    point = summary["gates"][1]
    assert (point["bound"], point["verdict"], point["failing_groups"]) == (
        "point",
        "fail",
        ["x", "y"],
    )
    point.update(verdict="no_data", failing_groups=[], worst_cases=[], checked=None)
    write_as_made_before(run_dir, summary)
    found = r"gate 'gap <= 1' verdict is 'no_data' but its results give 'fail'"
    with pytest.raises(EvidenceError, match=found):
        attach(tmp_path, run_dir)
