"""A ``by:`` metric whose ``where:`` leaves out every row of one group.

Observed: ``rate: rx.matched, by: meta.g, where: "len(response) > 3"`` over a group ``b`` whose
ten answers were all short (and all matched) published groups ``{a}`` only, no word of ``b``
anywhere, and the gate ``max: 0.6``, which every group must pass, passed: the group was never
measured, yet the verdict read as if it had passed. A group with rows but none the ``where``
keeps is now a group without data (value null, n 0), its reason naming the ``where``, and the
gate fails on it (``groups_without_data``), as for a group whose requests all failed. Runs made
before this rule published no such group: they still attach as they were recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.metrics.columns_check import compare_with_rows
from tests.testing.cli import run_cli, run_id_of
from tests.testing.summary_edits import reseal_summary

SUITE = """suite: left-out
evidence_for: [R-1]
cases:
"""
SUITE += "".join(
    f"  - {{id: c{i}, prompt: p{i}, metadata: {{g: {'a' if i < 4 else 'b'}}}}}\n" for i in range(8)
)
SUITE += """scorers: [{id: rx, use: regex, with: {pattern: bad}}]
metrics:
  - {id: r, rate: rx.matched, by: meta.g, where: "len(response) > 3"}
  - {id: m, mean: rx.count, by: meta.g, where: "len(response) > 3"}
gates:
  - {metric: r, max: 0.6}
  - {metric: m, max: 0.6, each_group: false}
"""

REGISTER = """register_version: 1
system: {name: bot, description: A bot., intended_use: Tests., owner: QA, target: t.yaml}
risks:
  - {id: R-1, title: A risk, description: A risk., category: safety, owner: QA,
     likelihood: 2, impact: 2, treatment: mitigate, acceptance_criteria: None.,
     suites: [{suite: left-out}], freshness_days: 3650}
"""


def _answer(i: int) -> str:
    """Group ``a`` answers at length; group ``b`` answers "bad", too short for the ``where``."""
    return "a fine answer" if i < 4 else "bad"


def _rows() -> list[dict[str, Any]]:
    return [
        {
            "case_id": f"c{i}",
            "sample": 0,
            "response": _answer(i),
            "error": None,
            "expected": {},
            "metadata": {"g": "a" if i < 4 else "b"},
            "scores": {"rx": {"matched": i >= 4, "count": int(i >= 4)}},
        }
        for i in range(8)
    ]


def test_the_group_has_no_data_and_fails_the_gate(write) -> None:
    got, verdicts = compare_with_rows(write("s.yaml", SUITE), _rows(), samples=1, chunk=3, seed=0)
    for metric in ("r", "m"):
        value = got[metric]
        assert value.value == 0 and value.n == 4, metric  # group a's rows
        assert value.groups is not None and sorted(value.groups) == ["a", "b"], metric
        b = value.groups["b"]
        assert b.value is None and b.n == 0, metric
        why = b.details["no_data_reason"]
        assert "4 rows" in why and "where: len(response) > 3" in why, why
    r_gate, m_gate = verdicts
    assert r_gate["verdict"] == "fail" and r_gate["groups_without_data"] == ["b"]
    assert m_gate["verdict"] == "pass"  # each_group: false gates the overall figure only


def test_a_where_on_the_cases_leaves_groups_out_on_purpose(write) -> None:
    """``where: meta.g == 'a'`` chooses the cases measured: group ``b`` is none of them."""
    suite = SUITE.replace('"len(response) > 3"', "\"meta.g == 'a'\"")
    got, verdicts = compare_with_rows(write("s.yaml", suite), _rows(), samples=1, chunk=3, seed=0)
    assert got["r"].groups is not None and sorted(got["r"].groups) == ["a"]
    assert [v["verdict"] for v in verdicts] == ["pass", "pass"]


def test_groups_the_answers_make_are_not_held_to_it(write) -> None:
    """``by: rx.count`` groups by what was answered, not by who was asked: a value no kept
    answer has is no group the run left unmeasured."""
    suite = SUITE.replace("by: meta.g", "by: rx.count")
    got, verdicts = compare_with_rows(write("s.yaml", suite), _rows(), samples=1, chunk=3, seed=0)
    assert got["r"].groups is not None and sorted(got["r"].groups) == ["0"]
    assert [v["verdict"] for v in verdicts] == ["pass", "pass"]


def _project(root: Path) -> Path:
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    lines = [json.dumps({"id": f"c{i}", "response": _answer(i)}) for i in range(8)]
    (root / "rec.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "t.yaml").write_text("name: rep\ntype: replay\npath: rec.jsonl\n", encoding="utf-8")
    (root / "register.yaml").write_text(REGISTER, encoding="utf-8")
    return root


def test_a_run_says_so_and_fails(tmp_path: Path) -> None:
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-evidence", cwd=_project(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    summary = json.loads(
        (tmp_path / "reports" / run_id_of(done) / "summary.json").read_text(encoding="utf-8")
    )
    assert summary["gates"][0]["verdict"] == "fail"
    assert "where: len(response) > 3" in " ".join(done.stdout.split())
    attached = run_cli(
        "evidence", "attach", run_id_of(done), "--register", "register.yaml", cwd=tmp_path
    )
    assert attached.returncode == 0, attached.stdout + attached.stderr


def test_a_run_recorded_before_the_rule_still_attaches(tmp_path: Path) -> None:
    """The runner before this rule published group ``a`` only, and the gate passed."""
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-evidence", cwd=_project(tmp_path))
    run_dir = tmp_path / "reports" / run_id_of(done)
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    for metric in summary["metrics"].values():
        del metric["groups"]["b"]
    gate = summary["gates"][0]
    gate.update(verdict="pass", failing_groups=[], worst_cases=[])
    del gate["groups_without_data"]
    gate.pop("no_data_reason", None)
    summary.update(status="passed", exit_code=0)
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    reseal_summary(run_dir)
    attached = run_cli(
        "evidence", "attach", run_dir.name, "--register", "register.yaml", cwd=tmp_path
    )
    assert attached.returncode == 0, attached.stdout + attached.stderr
