"""``review adjudicate`` when the evidence ledger cannot be written. Observed: with the anchor
``ledger.jsonl.head`` unwritable the command exited 2 blaming runs.db ("repair it or move it
aside", which would lose the baselines and reviews), the review record was left in the ledger
with no verdict stored and 'evidence verify' failing, and redoing the command appended a
second record for the same verdict. An unwritable ledger.jsonl was blamed on runs.db too.

Now: exit 3, one line naming the ledger file that failed and the way on; the ledger, its
anchor and runs.db are as they were; redoing the command once the cause is fixed records the
verdict once. Real faults: a folder where the anchor goes (its rename fails), and the ledger
made immutable (``chattr +i``; skipped where that is refused)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from assurance_harness.register.ledger import read_ledger
from assurance_harness.review.store import ReviewStore
from tests.review.reviewkit import Project, make_project
from tests.testing.cli import run_cli
from tests.testing.tmpfs import immutable

ROW = "c2#0"


def _adjudicate(project: Project, run_id: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "review", "adjudicate", run_id, ROW, "--agree",
        "--reports", project.reports, "--register", project.register,
        env={"ASSURANCE_REVIEWER": "alice"}, timeout=120,
    )  # fmt: skip


def _anchor(project: Project) -> Path:
    return project.ledger.with_name("ledger.jsonl.head")


def _verdicts(project: Project, run_id: str) -> list[list[str]]:
    return [v.ledger_ids for v in ReviewStore(project.reports / "runs.db").history(run_id, ROW)]


def _review_records(project: Project) -> list[str]:
    return [r.id for r in read_ledger(project.ledger, reviews=True) if r.is_review]


def _verify(project: Project) -> tuple[int, str]:
    done = run_cli("evidence", "verify", "--reports", project.reports, timeout=60)
    return done.returncode, done.stdout + done.stderr


def _refused(done: subprocess.CompletedProcess[str], names: str) -> None:
    text = done.stdout + done.stderr
    assert done.returncode == 3, text
    assert "Traceback" not in text and "internal error" not in text, text
    assert "runs.db" not in text, text
    assert f"{names}:" in done.stderr and "again" in done.stderr, text


def _redo_records_once(project: Project, run_id: str) -> None:
    done = _adjudicate(project, run_id)
    assert done.returncode == 0, done.stdout + done.stderr
    (record,) = _review_records(project)  # one record for the one verdict
    assert _verdicts(project, run_id) == [[record]]
    rc, text = _verify(project)
    assert rc == 0 and "warning" not in text, text


def test_an_anchor_that_cannot_be_written_is_named_and_nothing_is_kept(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    ledger_before = project.ledger.read_bytes()
    anchor_before = _anchor(project).read_bytes()
    _anchor(project).unlink()
    _anchor(project).mkdir()  # the rename of the anchor's temporary file fails

    done = _adjudicate(project, run_id)
    _refused(done, str(_anchor(project)))
    assert project.ledger.read_bytes() == ledger_before  # no record of a verdict not stored
    assert _verdicts(project, run_id) == []

    _anchor(project).rmdir()  # the cause, fixed
    _anchor(project).write_bytes(anchor_before)
    _redo_records_once(project, run_id)


@pytest.mark.parametrize("which", ["ledger.jsonl", "ledger.jsonl.head"])
def test_an_immutable_ledger_file_is_named_and_nothing_is_kept(tmp_path: Path, which: str) -> None:
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    ledger_before = project.ledger.read_bytes()
    path = project.ledger.with_name(which)

    with immutable(path):
        done = _adjudicate(project, run_id)
    _refused(done, str(path))
    assert project.ledger.read_bytes() == ledger_before
    assert _verdicts(project, run_id) == []
    _redo_records_once(project, run_id)


def test_a_verdict_whose_store_failed_after_its_record_is_stored_by_the_redo_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """runs.db's disk filling between the append and the verdict's row (SQLite's own error,
    raised at the insert: a disk cannot be made to fill at that statement). The record is in
    the ledger; the redo stores the verdict on it, and appends no second record."""
    import sqlite3

    from typer.testing import CliRunner

    from assurance_harness.cli import app
    from assurance_harness.store.database import _SqliteConnection

    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    insert = _SqliteConnection.insert_id

    def full_at_the_verdict(self, sql, params=(), *, column="id"):  # type: ignore[no-untyped-def]
        if "review_verdicts" in sql:
            raise sqlite3.OperationalError("database or disk is full")
        return insert(self, sql, params, column=column)

    monkeypatch.setenv("ASSURANCE_REVIEWER", "alice")
    args = ["review", "adjudicate", run_id, ROW, "--agree", "--reports", str(project.reports)]
    args += ["--register", str(project.register)]
    monkeypatch.setattr(_SqliteConnection, "insert_id", full_at_the_verdict)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3, result.output
    assert _verdicts(project, run_id) == []
    (record,) = _review_records(project)

    monkeypatch.setattr(_SqliteConnection, "insert_id", insert)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert _review_records(project) == [record]  # the same record, not a second one
    assert _verdicts(project, run_id) == [[record]]
    rc, text = _verify(project)
    assert rc == 0 and "warning" not in text, text
