"""``evidence verify`` with the team store, where each machine has only its own run folders:
the runs another machine wrote are not on this one, which is no file missing (nothing was
here), and a run folder deleted on the machine that wrote it still is.

Two reports folders stand for two machines; the hostname each attaches under is set by
monkeypatching ``socket.gethostname`` in this process.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.register.evidence_map import _record_bodies
from assurance_harness.register.ledger import append_bodies, attach_run, verify_ledger
from assurance_harness.register.ledger_store import read_ledger
from assurance_harness.register.run_presence import missing_run_files
from assurance_harness.register.runfiles import RunFiles
from assurance_harness.store.postgres import PostgresDatabase

from .register_testkit import make_run


def _ledger(reports: Path) -> Path:
    return reports / "evidence" / "ledger.jsonl"


def _as_host(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: host)


def _attach(reports: Path, suite: str, host: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A run of ``suite`` in ``reports``, attached as machine ``host``; its folder."""
    _as_host(monkeypatch, host)
    run = make_run(reports, suite=suite)
    assert attach_run(run, ledger_path=_ledger(reports))
    return run


def _two_machines(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path, Path, Path]:
    """Reports folders ``a`` and ``b`` sharing the team store, a run attached from each (as
    machine-a and machine-b); then this process is machine-a again."""
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    a, b = tmp_path / "a" / "reports", tmp_path / "b" / "reports"
    run_a = _attach(a, "tox-a", "machine-a", monkeypatch)
    run_b = _attach(b, "tox-b", "machine-b", monkeypatch)
    _as_host(monkeypatch, "machine-a")
    return a, b, run_a, run_b


def _cli(*args: str | Path) -> Any:
    from typer.testing import CliRunner

    from assurance_harness.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def test_another_machines_runs_are_not_on_this_one_not_missing(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _, run_a, run_b = _two_machines(tmp_path, pg_url, monkeypatch)
    report = verify_ledger(_ledger(a))
    assert report.ok, [i.format(_ledger(a)) for i in report.issues]
    assert report.runs_checked == 1  # machine-a's own run, its files re-hashed
    assert list(report.elsewhere) == [run_b.name]
    assert report.elsewhere[run_b.name]["host"] == "machine-b"
    assert report.to_dict()["elsewhere"] == report.elsewhere
    result = _cli("evidence", "verify", "--reports", a)
    assert result.exit_code == 0, result.output
    assert "not on this machine" in result.output and "machine-b" in result.output
    assert run_b.name in result.output and "1 runs and" in result.output
    # The register status does not read the other machine's run as lost either.
    assert missing_run_files(read_ledger(_ledger(a)), _ledger(a)) == {}
    assert run_a.is_dir()


def test_a_run_folder_deleted_on_the_machine_that_wrote_it_is_still_missing(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _, run_a, run_b = _two_machines(tmp_path, pg_url, monkeypatch)
    shutil.rmtree(run_a)
    report = verify_ledger(_ledger(a))
    assert "file_missing" in report.kinds()
    assert all(run_a.name in i.message for i in report.issues)
    assert list(report.elsewhere) == [run_b.name]
    assert run_a.name in missing_run_files(read_ledger(_ledger(a)), _ledger(a))


def test_a_record_claiming_another_machine_is_still_hash_checked(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _, _, run_b = _two_machines(tmp_path, pg_url, monkeypatch)
    with PostgresDatabase(pg_url).transaction() as conn:
        conn.execute("ALTER TABLE evidence_ledger DISABLE TRIGGER evidence_ledger_append_only")
        conn.execute(
            "UPDATE evidence_ledger SET line = replace(line, '\"pass\"', '\"fail\"') "
            "WHERE run_id = ?",
            (run_b.name,),
        )
        conn.execute("ALTER TABLE evidence_ledger ENABLE TRIGGER evidence_ledger_append_only")
    assert "edited" in verify_ledger(_ledger(a)).kinds()


def test_an_old_record_without_its_machine_is_missing_or_on_another_machine(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records written before they said where their run folder lives: a folder not here is
    file_missing, as before, the message saying it may be on another machine."""
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    b = tmp_path / "b" / "reports"
    run_b = make_run(b, suite="tox-old")
    bodies = _record_bodies(RunFiles.load(run_b), ["R-001"], _ledger(b))
    for body in bodies:
        body["run"].pop("origin", None)
    append_bodies(_ledger(b), bodies)
    a = tmp_path / "a" / "reports"
    report = verify_ledger(_ledger(a))
    assert report.kinds() == {"file_missing"} and not report.elsewhere
    assert "or written on another machine" in report.issues[0].message


def test_another_reports_folder_on_this_machine_is_checked_for_where_it_was_written(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On one machine two reports folders share the store: the other folder's run is not in
    this one, and is missing only when it is gone from where it was written too."""
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    a, b = tmp_path / "a" / "reports", tmp_path / "b" / "reports"
    _attach(a, "tox-a", "machine-a", monkeypatch)
    run_b = _attach(b, "tox-b", "machine-a", monkeypatch)
    report = verify_ledger(_ledger(a))
    assert report.ok and list(report.elsewhere) == [run_b.name]
    shutil.rmtree(run_b)
    report = verify_ledger(_ledger(a))
    assert "file_missing" in report.kinds() and not report.elsewhere


def test_the_file_ledger_looks_for_every_run_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSONL ledger lives in its reports folder, with its runs: a record written on another
    machine (the folder copied here) is checked here, and its folder gone is file_missing."""
    monkeypatch.delenv("ASSURANCE_STORE", raising=False)
    a = tmp_path / "a" / "reports"
    run = _attach(a, "tox-a", "machine-b", monkeypatch)
    _as_host(monkeypatch, "machine-a")
    assert verify_ledger(_ledger(a)).ok
    shutil.rmtree(run)
    report = verify_ledger(_ledger(a))
    assert "file_missing" in report.kinds() and not report.elsewhere
