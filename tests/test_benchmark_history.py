"""``benchmarks/scale_commands.py --make-history``: the register's and the web app's long-history
figures rest on it. It copied one run and edited each copy's summary.json (its run id and
times) without the SHA-256 its manifest.json holds of it, and attaching such a run is refused
("does not match the SHA-256 in its manifest.json"): the benchmark stopped at its first copy."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from assurance_harness.register.ledger import attach_run, verify_ledger
from tests.review.reviewkit import make_project

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_a_history_copy_of_a_run_attaches_and_verifies(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        scale_commands = importlib.import_module("scale_commands")
    finally:
        sys.path.remove(str(BENCHMARKS))
    project = make_project(tmp_path)
    first = project.run().run_dir
    copy = scale_commands.copy_run(first, project.reports, 7)
    assert copy.name == "20250101T000007Z-big-run-0007", copy
    attach_run(copy, register_path=project.register, ledger_path=project.ledger)
    report = verify_ledger(project.ledger, check_files=True)
    assert report.ok, [issue.format(report.ledger) for issue in report.issues]
    assert report.runs_checked == 2 and copy.name in {r.run_id for r in report.entries}, report
