"""A runs.db that SQLite cannot open (a directory in its place, or a read-only folder holding
its WAL files) is one line naming it, what is wrong and the fix, not an internal error, for
every command that reads or writes the store (issue 12)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from assurance_harness.store import faults
from assurance_harness.store.faults import sqlite_fault
from tests.testing.cli import run_cli


@pytest.mark.parametrize(
    "args",
    [
        ("review", "queue"),
        ("review", "add-reviewer", "alice"),
        ("baseline", "check"),
        ("ui", "--index"),
        ("runs", "list"),
        ("report", "20261202T000000Z-tox-ab12"),
    ],
)
def test_a_runs_db_that_cannot_be_opened_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "reports" / "runs.db").mkdir(parents=True)
    proc = run_cli(*args, "--reports", "reports", cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "internal error" not in text and "Traceback" not in text, text
    assert text.strip().splitlines() == [
        "error: reports/runs.db: is a directory, not the run index database; move it aside "
        "(runs are then found by their folders, and the next run makes a new index)"
    ]


def test_a_read_only_folder_is_named_as_the_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root ignores file modes, so the read-only folder is what os.access reports.
    db = tmp_path / "runs.db"
    db.write_bytes(b"")
    real = os.access
    monkeypatch.setattr(
        faults.os, "access", lambda p, mode: False if Path(p) == tmp_path else real(p, mode)
    )
    message = str(sqlite_fault(db, sqlite3.OperationalError("unable to open database file")))
    assert message.startswith(f"{db}: the folder is read-only (unable to open database file)")
    assert "runs.db-wal and runs.db-shm" in message and f"make {tmp_path} writable" in message


def test_a_damaged_runs_db_still_says_repair_or_move_aside(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    db.write_bytes(b"not a database" * 100)
    message = str(sqlite_fault(db, sqlite3.DatabaseError("file is not a database")))
    assert "the run index cannot be read (file is not a database)" in message
    assert "repair it or move it aside" in message


def test_a_read_only_file_system_that_counts_no_free_inode_is_said_as_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """squashfs and ISO 9660 (read-only media) count their inodes and report none free: the
    index on one was said as 'no inodes left; delete files you do not need', on a disk where
    nothing can be deleted, instead of as the read-only file system it is."""
    db = tmp_path / "runs.db"
    db.write_bytes(b"")
    real = os.statvfs

    def read_only_media(path: str | os.PathLike[str]) -> SimpleNamespace:
        stats = real(path)
        return SimpleNamespace(
            f_flag=stats.f_flag | os.ST_RDONLY,
            f_files=1000,
            f_favail=0,
            f_bavail=0,
            f_frsize=stats.f_frsize,
        )

    monkeypatch.setattr(os, "statvfs", read_only_media)
    message = str(sqlite_fault(db, sqlite3.OperationalError("unable to open database file")))
    assert message.startswith(f"{db}: is on a read-only file system"), message
    assert "inodes" not in message, message
