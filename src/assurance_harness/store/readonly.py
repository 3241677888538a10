"""How a command that only reads opens ``runs.db``, so that an archived reports folder on
read-only media or a read-only share (evidence handed to an auditor) can be read.

SQLite in WAL mode keeps its read locks in ``runs.db-shm`` and must create that file, and
``runs.db-wal``, even to read: on a read-only file system a plain open fails with "unable to
open database file". Where nothing can be written (:func:`read_only_medium`), a command that
only reads (``Database.reading``, and the schema check before it) opens the file ``mode=ro``,
and where SQLite cannot make those files it has two ways left:

* both are there already (copied with the folder, or kept by a connection open elsewhere):
  SQLite opens them read-only and reads the WAL through them, or by itself when no process
  holds the ``-shm`` (SQLite 3.22+);
* otherwise, where there is no WAL to read (no ``-wal``, or an empty one): ``immutable=1``
  tells SQLite the file cannot change, so it takes no lock and needs no ``-shm``. That is
  safe only because nothing can write a read-only file system: no writer can change the file
  under the reader, and a database being written, even through another, writable mount of
  the same files, has its ``-wal`` and ``-shm`` beside it (SQLite keeps both while a
  connection is open), so that case takes the first way.

A non-empty ``runs.db-wal`` without its ``-shm`` (the folder copied while the index was open)
holds changes not yet in ``runs.db``, which ``immutable=1`` would skip without a word: it is
opened ``mode=ro`` alone, SQLite cannot open it, and the fault is said as that
(``store.faults``), never as stale rows.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["read_only_fs", "read_only_medium", "reader_uri", "unread_wal"]


def read_only_fs(path: Path) -> bool:
    """Whether ``path`` (followed through links) lies on a file system mounted read-only."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _real(path: Path) -> Path:
    """``path`` with its links followed, as SQLite names the ``-wal`` and ``-shm`` files."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def read_only_medium(path: Path) -> bool:
    """Whether the database ``path`` exists where nothing can be written: the file's own file
    system is read-only (a read-only bind mount of it), or the one of the folder SQLite must
    make ``-wal`` and ``-shm`` in. Its tables are then read as they are, never upgraded."""
    real = _real(path)
    return real.is_file() and (read_only_fs(real) or read_only_fs(real.parent))


def _beside(real: Path, suffix: str) -> Path:
    return real.with_name(real.name + suffix)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def unread_wal(path: Path) -> Path | None:
    """The ``-wal`` beside ``path`` whose changes a reader cannot see, or None: one that holds
    something, without the ``-shm`` SQLite needs to read it, on a file system where that
    file cannot be made."""
    real = _real(path)
    wal = _beside(real, "-wal")
    if _size(wal) == 0 or _beside(real, "-shm").exists() or not read_only_fs(real.parent):
        return None
    return wal


def reader_uri(path: Path) -> str:
    """The SQLite URI a reader opens ``path`` with: ``mode=ro``, and ``immutable=1`` where
    SQLite could make no ``-shm`` and there is no WAL to read (the module's docstring says
    why that is safe)."""
    real = _real(path)
    uri = f"{real.as_uri()}?mode=ro"
    shm, wal = _beside(real, "-shm"), _beside(real, "-wal")
    readable_wal = shm.exists() and wal.exists()  # SQLite reads it, and needs both
    if read_only_fs(real.parent) and not readable_wal and _size(wal) == 0:
        uri += "&immutable=1"
    return uri
