"""What is wrong with an embedded ``runs.db`` that SQLite cannot open or read, said once for
every command that reads or writes the store (the run index, reviews, baselines, the UI).

SQLite says "unable to open database file" alike for a directory in the file's place and for a
read-only folder (WAL mode writes ``runs.db-wal`` and ``runs.db-shm`` beside the file, even to
read), and the fix differs; so the file and its folder are looked at to say which. The runner
reports a storage fault met during a run as a failed run (exit 3) with the ``--resume`` that
finishes it (``runner.run``); only a folder in runs.db's place, known before sending, is
refused here first (``check_index_path``).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import RunFailedError
from .database import BUSY_TIMEOUT_S, Connection, Database
from .postgres import StoreError

__all__ = [
    "StoreBusyError",
    "check_index_path",
    "locked_reason",
    "reported_transaction",
    "sqlite_fault",
    "store_faults",
]


class StoreBusyError(StoreError):
    """Another process held runs.db's write lock past the busy timeout: nothing given was
    wrong and the same command works once it lets go, so exit 3 (a failed step), not 2."""

    exit_code = RunFailedError.exit_code


@contextmanager
def store_faults(db: Database) -> Iterator[None]:
    """A runs.db that cannot be opened, written or read is one StoreError naming it, the cause
    and the fix (exit 2; exit 3 for a lock another process held past the wait,
    ``StoreBusyError``); the team store's own errors are StoreErrors already."""
    try:
        yield
    except (sqlite3.DatabaseError, OSError) as exc:
        if db.dialect != "sqlite":
            raise
        raise sqlite_fault(Path(db.where), exc) from None


@contextmanager
def reported_transaction(db: Database) -> Iterator[Connection]:
    """A command's transaction on the store, its tables made first, with its faults reported
    as :func:`store_faults` says."""
    with store_faults(db):
        db.ensure_schema()
        with db.transaction() as conn:
            yield conn


def check_index_path(path: Path) -> None:
    """Refuse a folder in the embedded ``runs.db``'s place before a run sends anything: SQLite
    fails on it only when the finished run is indexed, every answer paid for by then (the
    runner's storage faults are otherwise exit 3, met as they come)."""
    if path.is_dir():
        raise _directory_fault(path)


def sqlite_fault(path: Path, exc: sqlite3.DatabaseError | OSError) -> StoreError:
    """``exc``, met using the SQLite file ``path``, as what is wrong and how to fix it."""
    cause = _first_line(exc)
    folder = path.parent
    if path.is_dir():
        return _directory_fault(path)
    if folder.exists() and not folder.is_dir():
        return StoreError(f"{path}: {folder} is a file, not a folder; move it aside")
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return StoreError(
            f"{path}: the folder is read-only ({cause}): SQLite needs to write "
            f"{path.name}-wal and {path.name}-shm next to it; make {folder} writable, or copy "
            "the reports folder somewhere writable and pass it as --reports"
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return StoreError(
            f"{path}: permission denied ({cause}); give this user read and write access to it"
        )
    if "locked" in cause:
        return StoreBusyError(f"{path}: {locked_reason(cause)} and try again")
    return StoreError(
        f"{path}: the run index cannot be read ({cause}); repair it or move it aside (runs "
        "are then found by their folders)"
    )


def _directory_fault(path: Path) -> StoreError:
    return StoreError(
        f"{path}: is a directory, not the run index database; move it aside (runs are then "
        "found by their folders, and the next run makes a new index)"
    )


def locked_reason(cause: str) -> str:
    """Why a statement failed with SQLite's "database is locked": it waited out the busy
    timeout for another process's write (said alike by every command and by the runner)."""
    return (
        f"another process has held the database locked for {BUSY_TIMEOUT_S:g} s ({cause}); "
        "wait for it to finish"
    )


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
