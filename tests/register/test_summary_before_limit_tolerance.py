"""Runs made before a figure on a gate's limit within rounding noise met it (``limits``,
2026-12-07) failed it: a mean of 0.1 and 0.2 (0.15000000000000002) failed ``max: 0.15``. Such
a summary is not an edit: measured again today the gate passes, and its recorded failure read
as tampering ("verdict is 'fail' but its results give 'pass'"). The verdict the strict rule
gives is accepted as the run was made; an edited verdict the strict rule does not give is
still refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.register.ledger import attach_run
from assurance_harness.register.summary_check import SummaryChangedError
from assurance_harness.runner.run import run_suite

from ..metrics.test_gate_at_its_limit import at_limit_project
from ..testing.summary_edits import reseal_summary

REGISTER = """\
register_version: 1
system:
  name: lim
  description: A bot.
  intended_use: Tests.
  owner: QA
  target: t.yaml
risks:
  - id: R-901
    title: Answers run long
    description: An answer is longer than it should be.
    category: robustness
    owner: QA
    likelihood: 2
    impact: 3
    treatment: mitigate
    acceptance_criteria: Answers are short.
    suites:
      - {suite: at-limit}
    freshness_days: 3650
"""


def _run(root: Path, gate: str, module: str) -> Path:
    at_limit_project(root, gate, module)
    suite = (root / "s.yaml").read_text()
    suite = suite.replace("suite: at-limit\n", "suite: at-limit\nversion: 1.0.0\n")
    (root / "s.yaml").write_text(suite + "evidence_for: [R-901]\n")
    (root / "register.yaml").write_text(REGISTER)
    outcome = run_suite(
        root / "s.yaml",
        root / "t.yaml",
        reports_dir=root / "reports",
        write_reports=False,
        attach_evidence=False,
    )
    assert outcome.summary["gates"][0]["verdict"] == "pass"
    return outcome.run_dir


def _as_failed_before(run_dir: Path) -> None:
    """summary.json as a run made before the rule wrote it: the gate failed, with the rows
    that pushed the mean up as its worst cases."""
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text())
    summary["gates"][0].update(verdict="fail", worst_cases=["b#0", "a#0"])
    summary.update(status="gates_failed", exit_code=1)
    path.write_text(json.dumps(summary, indent=2))
    reseal_summary(run_dir)  # as that run's manifest.json recorded what it wrote


def _attach(root: Path, run_dir: Path) -> list:
    return attach_run(
        run_dir,
        register_path=root / "register.yaml",
        ledger_path=root / "reports" / "evidence" / "ledger.jsonl",
    )


def test_a_gate_failed_on_noise_at_its_limit_before_the_rule_attaches(tmp_path: Path) -> None:
    run_dir = _run(tmp_path, "max: 0.15", "limit_before")
    _as_failed_before(run_dir)
    records = _attach(tmp_path, run_dir)
    assert records and all(r.verdict == "fail" for r in records)


def test_a_failure_no_rule_gives_is_still_refused(tmp_path: Path) -> None:
    run_dir = _run(tmp_path, "max: 0.5", "limit_edited")  # 0.15 is well within either way
    _as_failed_before(run_dir)
    with pytest.raises(SummaryChangedError, match="verdict is 'fail' but its results give"):
        _attach(tmp_path, run_dir)
