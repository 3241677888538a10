"""Evidence that exists is complete, and evidence that is missing is loud (issue 10).

Observed: a run whose evidence could not be attached (torn ledger line, unwritable ledger) exited
0 with a note; a run whose index write failed said ``passed`` in run.json but never entered
runs.db, even after ``--resume``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assurance_harness.errors import ExitCode, RunFailedError
from assurance_harness.runner.run import run_suite
from assurance_harness.store.index import RunIndex


def _files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "echo_target.py").write_text(
        "def respond(messages, **kw):\n    return 'echo ' + messages[-1]['content']\n"
    )
    target = tmp_path / "target.yaml"
    target.write_text("type: callable\nfunction: echo_target:respond\npython_path: ['.']\n")
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "suite: completeness\nevidence_for: [R-001]\n"
        "cases: [{id: a, prompt: one}, {id: b, prompt: two}]\n"
        "metrics:\n  - {id: echoed, rate: \"'echo' in response\"}\n"
        "gates:\n  - {metric: echoed, min: 1.0}\n"
    )
    return suite, target


def test_a_run_whose_evidence_cannot_be_attached_exits_non_zero(tmp_path: Path) -> None:
    suite, target = _files(tmp_path)
    reports = tmp_path / "reports"
    ledger = reports / "evidence" / "ledger.jsonl"
    ledger.parent.mkdir(parents=True)
    ledger.write_text('{"torn": \n')  # a torn last line: nothing can be chained to it
    outcome = run_suite(suite, target, reports_dir=reports, write_reports=False)
    assert outcome.summary["status"] == "passed"
    assert outcome.exit_code == ExitCode.RUN_FAILED
    assert any("evidence not attached" in note for note in outcome.notes)


def test_a_failed_index_write_is_loud_and_repaired_by_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite, target = _files(tmp_path)
    reports = tmp_path / "reports"

    def broken(self: RunIndex, record: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    with monkeypatch.context() as patch:
        patch.setattr(RunIndex, "upsert", broken)
        with pytest.raises(RunFailedError) as failed:
            run_suite(
                suite, target, reports_dir=reports, write_reports=False, attach_evidence=False
            )
    assert failed.value.exit_code == ExitCode.RUN_FAILED
    message = str(failed.value)
    assert "cannot write" in message and "runs.db" in message
    run_id = message.rsplit("--resume ", 1)[1].split()[0]
    assert RunIndex(reports / "runs.db").get(run_id) is None
    run_dir = reports / run_id
    frozen = (run_dir / "summary.json").read_bytes()

    again = run_suite(
        suite,
        target,
        reports_dir=reports,
        resume=run_id,
        write_reports=False,
        attach_evidence=False,
    )
    row = RunIndex(reports / "runs.db").get(run_id)
    assert row is not None and row["status"] == "passed"
    assert again.exit_code == ExitCode.OK
    assert (run_dir / "summary.json").read_bytes() == frozen
