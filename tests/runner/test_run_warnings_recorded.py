"""A run's warnings (what went wrong that did not change the results: a replay recording whose
records answer no case, a target that did not close) are recorded in summary.json and shown in
report.md and report.html, not only said on the terminal. A real replay run, in this process.

Observed: a recording of 5 records of which 2 answered no case of the suite printed
"warning: 2 of the 5 records ... answer no case of this run" on the terminal only; summary.json
and the reports, which are what an auditor reads, said nothing of it."""

from __future__ import annotations

import json
from pathlib import Path

from assurance_harness.register.runfiles import RunFiles
from assurance_harness.register.summary_check import check_summary
from assurance_harness.runner.run import run_suite

SUITE = """\
suite: replayed
version: 1.0.0
cases:
  - {id: a, prompt: "one"}
  - {id: b, prompt: "two"}
  - {id: c, prompt: "three"}
scorers:
  - {id: len, use: length}
metrics:
  - {id: long, rate: 'len.words > 0'}
gates:
  - {metric: long, min: 0.5}
"""
RECORDS = ["a", "b", "c", "other-1", "other-2"]
UNUSED = "2 of the 5 records in"


def _run(root: Path, records: list[str]) -> Path:
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    lines = "".join(json.dumps({"id": r, "response": f"answer {r}"}) + "\n" for r in records)
    (root / "rec.jsonl").write_text(lines, encoding="utf-8")
    (root / "t.yaml").write_text("name: rep\ntype: replay\npath: rec.jsonl\n", encoding="utf-8")
    outcome = run_suite(
        root / "s.yaml", root / "t.yaml", reports_dir=root / "reports", attach_evidence=False
    )
    assert any(UNUSED in w for w in outcome.warnings) == (len(records) > 3), outcome.warnings
    return outcome.run_dir


def test_the_unused_records_warning_is_in_the_summary_and_the_reports(tmp_path: Path) -> None:
    run_dir = _run(tmp_path, RECORDS)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert [w for w in summary.get("warnings") or [] if UNUSED in w], summary.get("warnings")
    assert UNUSED in (run_dir / "report.md").read_text(encoding="utf-8")
    assert UNUSED in (run_dir / "report.html").read_text(encoding="utf-8")
    assert check_summary(RunFiles.load(run_dir)) is None


def test_a_run_without_warnings_records_none(tmp_path: Path) -> None:
    run_dir = _run(tmp_path, RECORDS[:3])
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert "warnings" not in summary
    assert "answer no case" not in (run_dir / "report.md").read_text(encoding="utf-8")
