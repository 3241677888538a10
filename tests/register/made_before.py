"""What the tests of runs made by earlier versions share: a register whose one risk links the
suite, the run of its project, a summary.json written as such a run wrote it (with the
manifest.json that run recorded for it), and the attach itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assurance_harness.register.ledger import attach_run
from assurance_harness.runner.run import run_suite

from ..testing.summary_edits import reseal_summary

_REGISTER = """\
register_version: 1
system:
  name: {system}
  description: A bot.
  intended_use: Tests.
  owner: QA
  target: t.yaml
risks:
  - id: {risk}
    title: {title}
    description: A changed question is answered differently.
    category: robustness
    owner: QA
    likelihood: 2
    impact: 3
    treatment: mitigate
    acceptance_criteria: Changes to the question change nothing.
    suites:
      - {{suite: {suite}}}
    freshness_days: 3650
"""


def write_register(root: Path, *, risk: str, suite: str, title: str) -> None:
    """``root/register.yaml``: system ``suite`` (target ``t.yaml``), one robustness risk
    linking the suite."""
    text = _REGISTER.format(system=suite, risk=risk, suite=suite, title=title)
    (root / "register.yaml").write_text(text)


def run_project(root: Path) -> Path:
    """Run ``root``'s suite ``s.yaml`` against its target ``t.yaml`` (no reports, nothing
    attached); the run's folder."""
    outcome = run_suite(
        root / "s.yaml",
        root / "t.yaml",
        reports_dir=root / "reports",
        write_reports=False,
        attach_evidence=False,
    )
    return outcome.run_dir


def write_as_made_before(run_dir: Path, summary: dict[str, Any]) -> None:
    """``summary`` as the run's summary.json, written as an earlier version wrote it: its
    manifest.json records that file (``reseal_summary``), as that run's did."""
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    reseal_summary(run_dir)


def attach(root: Path, run_dir: Path) -> list[Any]:
    """``run_dir`` attached to ``root``'s register and ledger: its records."""
    return attach_run(
        run_dir,
        register_path=root / "register.yaml",
        ledger_path=root / "reports" / "evidence" / "ledger.jsonl",
    )
