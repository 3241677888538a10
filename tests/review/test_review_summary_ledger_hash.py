"""``review status`` and ``review adjudicate`` over a run whose summary.json is not the file
its evidence in the ledger hashed (edited, with manifest.json rewritten to match): ``assurance
compare`` gives such a run no verdict. Observed: both checked the summary against its manifest
only, so ``review status`` measured the gates again with the edited file's rules and queue, and
a verdict was recorded in the ledger on a summary the run never wrote."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import attach_run
from tests.testing.summary_edits import edit_summary

from .reviewkit import make_project


def _forged(project_reports: Path, run_id: str, ledger: Path, what: str) -> Path:
    """The run recorded in the ledger, then its summary edited and its manifest rewritten."""
    run_dir = project_reports / run_id
    attach_run(run_dir, ledger_path=ledger)
    path = edit_summary(run_dir, what)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["summary"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    return path


def test_review_status_refuses_a_summary_unlike_its_ledger_hash(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    summary = _forged(project.reports, run_id, project.ledger, "metric value")

    done = CliRunner().invoke(app, ["review", "status", run_id, "--reports", str(project.reports)])
    assert done.exit_code == 3, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(summary) in lines[0], done.stderr
    assert "in the ledger" in lines[0] and "internal error" not in lines[0], done.stderr


def test_review_adjudicate_refuses_a_summary_unlike_its_ledger_hash(tmp_path: Path) -> None:
    """Refused as a summary unlike its manifest is (exit 3, as ``review status`` and
    ``compare`` refuse it; exit 1 reads to CI as a failed gate): the record would hash the
    edited file, and the ledger vouch for it."""
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    summary = _forged(project.reports, run_id, project.ledger, "status")
    ledger_before = project.ledger.read_bytes()

    done = CliRunner().invoke(
        app,
        ["review", "adjudicate", run_id, "c2#0", "--agree", "--reports", str(project.reports)],
        env={"ASSURANCE_REVIEWER": "erin"},
    )
    assert done.exit_code == 3, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(summary) in lines[0], done.stderr
    assert "in the ledger" in lines[0] and "internal error" not in lines[0], done.stderr
    assert project.ledger.read_bytes() == ledger_before
