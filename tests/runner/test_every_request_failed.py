"""A run whose every request failed measured nothing, whatever ``max_error_rate`` allows.

Observed: a suite with ``max_error_rate: 1`` and no gates, run against an endpoint that
answered nothing (every request an error), ended ``status passed`` and exit 0: summary.json,
the reports and ``assurance baseline set`` (which takes passed runs only) read it as a pass
although no figure was computed. Such a run is now ``run_failed`` (exit 3), its reports say that
nothing was measured, and its errored requests can be retried (``--retry-errors``). Runs made
before this rule recorded ``passed``: they still verify as evidence."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli, run_id_of
from tests.testing.summary_edits import reseal_summary

SUITE = """suite: all-down
version: 1.0.0
evidence_for: [R-1]
max_error_rate: 1
cases:
  - {id: a, prompt: one}
  - {id: b, prompt: two}
scorers: [{id: rx, use: regex, with: {pattern: x}}]
metrics: [{id: r, rate: rx.matched}]
"""

REGISTER = """register_version: 1
system: {name: bot, description: A bot., intended_use: Tests., owner: QA, target: t.yaml}
risks:
  - {id: R-1, title: A risk, description: A risk., category: safety, owner: QA,
     likelihood: 2, impact: 2, treatment: mitigate, acceptance_criteria: None.,
     suites: [{suite: all-down}], freshness_days: 3650}
"""


def _project(root: Path) -> Path:
    """A replay target whose recording answers no case of the suite: every request fails."""
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    (root / "rec.jsonl").write_text('{"id": "other", "response": "x"}\n', encoding="utf-8")
    (root / "t.yaml").write_text("name: rep\ntype: replay\npath: rec.jsonl\n", encoding="utf-8")
    (root / "register.yaml").write_text(REGISTER, encoding="utf-8")
    return root


def _run(root: Path) -> tuple[Path, str]:
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-evidence", cwd=_project(root))
    return root / "reports" / run_id_of(done), done.stdout + done.stderr


def test_a_run_whose_every_request_failed_is_run_failed(tmp_path: Path) -> None:
    run_dir, output = _run(tmp_path)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["responses"] == 0 and summary["counts"]["max_error_rate"] == 1
    assert (summary["status"], summary["exit_code"]) == ("run_failed", 3), output
    assert "status run_failed (every request ended in error, so nothing was measured)" in output
    assert "--retry-errors" in output
    for report in ("report.md", "report.html", "junit.xml"):
        text = " ".join((run_dir / report).read_text(encoding="utf-8").split())
        assert "nothing was measured" in text, report
        assert "1 above 1" not in text, report


def test_it_attaches_as_evidence_as_recorded(tmp_path: Path) -> None:
    run_dir, _ = _run(tmp_path)
    done = run_cli("evidence", "attach", run_dir.name, "--register", "register.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_run_recorded_passed_before_the_rule_still_attaches(tmp_path: Path) -> None:
    """The runner before this rule wrote ``passed`` and exit code 0 for the same rows."""
    run_dir, _ = _run(tmp_path)
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    summary.update(status="passed", exit_code=0)
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    reseal_summary(run_dir)
    done = run_cli("evidence", "attach", run_dir.name, "--register", "register.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
