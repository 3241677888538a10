"""'evidence verify' does not call a run's purge "as recorded, not tampered with" where the
purge deleted a file that had changed since the evidence was recorded. It reported the file
(file_missing) and, on the next line, listed the same run among those whose "payloads were
deleted as recorded, not tampered with"; the annex's data-protection section said so too."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import attach_run

from .register_testkit import make_run


def _cli(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_a_file_edited_before_its_purge_is_not_called_purged_as_recorded(
    reports: Path, ledger: Path
) -> None:
    edited = make_run(reports, finished_at="2026-01-10T09:00:00+00:00", run_id="edited-run")
    clean = make_run(reports, finished_at="2026-01-11T09:00:00+00:00", run_id="clean-run")
    ledger.parent.mkdir(parents=True)
    for run in (edited, clean):
        attach_run(run, ledger_path=ledger)
    results = edited / "results.jsonl"
    results.write_text(results.read_text().replace("response 1", "response one"))
    assert _cli("runs", "purge", "--older-than", "90d", "--reports", reports)[0] == 0

    code, output = _cli("evidence", "verify", "--reports", reports, "--format", "json")
    data = json.loads(output)
    assert code == 1 and data["purged"] == ["clean-run"], data
    issue = next(i for i in data["issues"] if "results.jsonl" in i["message"])
    assert "edited-run" in issue["message"] and "purged" in issue["message"], issue
    code, output = _cli("evidence", "verify", "--reports", reports)
    purged_line = next(x for x in output.splitlines() if "not tampered with" in x)
    assert "clean-run" in purged_line and "edited-run" not in purged_line, output
