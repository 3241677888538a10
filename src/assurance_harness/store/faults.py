"""What is wrong with an embedded ``runs.db`` that SQLite cannot open or read, said once for
every command that reads or writes the store (the run index, reviews, baselines, the UI).

SQLite says "unable to open database file" alike for a directory in the file's place and for a
read-only folder (WAL mode writes ``runs.db-wal`` and ``runs.db-shm`` beside the file, even to
read), and "disk I/O error" for a full disk (the ``-shm`` file it cannot grow), and the fix
differs; so the file, its folder and their disk are looked at to say which (a file system
with bytes free but no inode left fails the same "unable to open" making ``-wal``). A command
that only reads opens a runs.db on a read-only file system read-only (``store.readonly``):
there only a writer, or a ``-wal`` no reader can read, still fails.

Exit codes: a runs.db the user must change (a folder or a FIFO in its place, a damaged file) is
exit 2, refused before anything is done; a disk that failed under a sound file (full,
read-only) is a storage fault, exit 3 (``StoreStorageError``), as every other storage fault is
(``errors.storage_fault``): the same command works once the disk is fixed. The runner
reports a storage fault met during a run as a failed run (exit 3) with the ``--resume`` that
finishes it (``runner.run``); only a runs.db no run can be indexed in (a folder, a FIFO, a
damaged file, a table of another shape, a write lock another process holds past the busy
wait), known before sending, is refused here first (``check_index_path``).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import RunFailedError
from .database import BUSY_TIMEOUT_S, Connection, Database, SqliteDatabase
from .postgres import StoreError
from .readonly import read_only_fs, unread_wal

__all__ = [
    "StoreBusyError",
    "StoreStorageError",
    "check_index_path",
    "locked_reason",
    "reported_reading",
    "reported_transaction",
    "sqlite_fault",
    "sqlite_fault_reason",
    "store_faults",
]


class StoreBusyError(StoreError):
    """Another process held runs.db's write lock past the busy timeout: nothing given was
    wrong and the same command works once it lets go, so exit 3 (a failed step), not 2."""

    exit_code = RunFailedError.exit_code


class StoreStorageError(StoreError):
    """The disk under a sound runs.db failed the command (full, read-only, its access taken
    away): neither the file nor the command line is wrong, and the same command works once the
    disk is fixed, so exit 3 (a failed step) for ``run``, ``--resume`` and ``runs list`` alike,
    and the runner offers the ``--resume`` of a run it has begun. Exit 2 said the command was
    wrong, and a run ended so offered none.

    A read-only reports folder is one too, although passing another --reports is one of its
    fixes: it is the same folder a run without a runs.db in it fails to write its run folder
    in (exit 3, ``errors.storage_fault``), and a run begun there must be resumed there. Exit 2
    stays for a path that can never be the index (a folder or a FIFO in its place, a damaged
    file, a table of another shape): the user must change that file, not the disk."""

    exit_code = RunFailedError.exit_code


@contextmanager
def store_faults(db: Database) -> Iterator[None]:
    """A runs.db that cannot be opened, written or read is one StoreError naming it, the cause
    and the fix (exit 2; exit 3 for a disk that failed under it, ``StoreStorageError``, and
    for a lock another process held past the wait, ``StoreBusyError``); the team store's own
    errors are StoreErrors already."""
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


@contextmanager
def reported_reading(db: Database) -> Iterator[Connection]:
    """:func:`reported_transaction` for a command's statements that only read: the store is
    opened as ``Database.reading`` does (read-only on read-only media, ``store.readonly``), so
    an archive there is read too; a writer's transaction still fails there, said as that."""
    with store_faults(db):
        db.ensure_schema()
        with db.reading() as conn:
            yield conn


def check_index_path(path: Path) -> None:
    """Refuse a folder, or a file that is no whole SQLite database, in the embedded
    ``runs.db``'s place before a run sends anything: SQLite fails on either only when the
    finished run is indexed, every answer paid for by then, and the ``--resume`` it offers
    fails the same way (the runner's storage faults are otherwise exit 3, met as they come).
    A sound index SQLite could only read (a read-only file system, a file or folder this user
    may not write) is refused here too, as the storage fault it is (exit 3)."""
    if path.is_dir():
        raise _directory_fault(path)
    if path.is_symlink() and not path.exists():
        raise StoreError(
            f"{path}: is a symlink to {os.readlink(path)}, which does not exist; restore the "
            "file it points to, or remove the link (the next run makes a new index)"
        )
    if path.exists() and not path.is_file():
        raise _special_file_fault(path)
    if (cause := _damage(path)) is not None:
        raise sqlite_fault(path, sqlite3.DatabaseError(cause))
    if path.exists() and (unwritable := _unwritable(path, "")) is not None:
        # SQLite opens such a file read-only without a word: only the finished run's row failed
        raise unwritable
    if path.exists():
        _check_indexable(path)


def _check_indexable(path: Path) -> None:
    """Open the index as the finished run will, its tables made or upgraded first, and name
    every column the run's row fills: a table of another shape, or a view in its place, fails
    here as a StoreError (exit 2) and not once every answer is in. Then take the write lock
    the run's row will need and let it go at once (an empty transaction: no write, no sync):
    a lock another process holds past the busy wait the indexing would also wait out is a
    StoreBusyError (exit 3) now, before a request is paid for, and a brief one (another run
    indexing) is waited for, as the indexing would."""
    from .index import COLUMNS  # store.index uses this module

    db = SqliteDatabase(path)
    try:
        with store_faults(db):
            db.ensure_schema()
            with db.transaction() as conn:
                conn.execute(f"SELECT {', '.join(COLUMNS)} FROM runs LIMIT 0")
                conn.lock("runs")
    except StoreBusyError as exc:
        raise StoreBusyError(f"{exc} (the run was not started: nothing was sent)") from None


def _damage(path: Path) -> str | None:
    """:func:`_header_damage`, said only when it lasts: another process's commit or checkpoint
    writes the header's new page count before the pages that extend the file, so a whole
    index is short for a moment; damage stays."""
    for _ in range(_DAMAGE_LOOKS - 1):
        if _header_damage(path) is None:
            return None
        time.sleep(_DAMAGE_PAUSE_S)
    return _header_damage(path)


_HEADER = b"SQLite format 3\x00"
_DAMAGE_LOOKS = 5
_DAMAGE_PAUSE_S = 0.05


def _header_damage(path: Path) -> str | None:
    """Why ``path`` is no whole SQLite database, said as SQLite says it, or None (also for no
    file, an empty one, which SQLite makes a database of, and one that is not a regular file).
    Only the 100-byte header is read, without a lock: a long transaction of another process
    must not hold a run back here, and a full integrity check would read the whole index.
    The header's page size times its page count is the least a whole file holds (when the
    count is valid: written by a SQLite that keeps it, as its version field says)."""
    try:
        if not path.is_file() or (size := path.stat().st_size) == 0:
            return None
        with path.open("rb") as file:
            header = file.read(100)
    except OSError:
        return None  # unreadable: said, with its fix, where SQLite opens it
    if len(header) < 100 or not header.startswith(_HEADER):
        return "file is not a database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    count_valid = header[24:28] == header[92:96]
    if count_valid and size < page_size * pages:
        return "database disk image is malformed"
    return None


def sqlite_fault(path: Path, exc: sqlite3.DatabaseError | OSError) -> StoreError:
    """``exc``, met using the SQLite file ``path``, as what is wrong and how to fix it."""
    cause = _first_line(exc)
    folder = path.parent
    if path.is_dir():
        return _directory_fault(path)
    if path.exists() and not path.is_file():  # SQLite says only "disk I/O error"
        return _special_file_fault(path)
    if folder.exists() and not folder.is_dir():
        return StoreError(f"{path}: {folder} is a file, not a folder; move it aside")
    if (wal := unread_wal(path)) is not None:
        return StoreStorageError(
            f"{path}: {wal} holds changes not yet written into {path.name} (the folder was "
            "copied, or a command stopped, while the index was open) and cannot be read "
            f"without {path.name}-shm on "
            "a read-only file system; copy the reports folder somewhere writable and pass it "
            f"as --reports (SQLite folds {wal.name} in there)"
        )
    if (no_inodes := _out_of_inodes(path, exc)) is not None:
        return StoreStorageError(
            f"{path}: no new file can be made in {no_inodes} ({cause}): its file system has "
            f"no inodes left, and SQLite must make {path.name}-wal and {path.name}-shm beside "
            "the index (which is intact); delete files you do not need on that file system, "
            "or pass another --reports"
        )
    if (full := _full_disk(path, exc)) is not None:
        return StoreStorageError(
            f"{path}: the disk is full ({cause}): no space is left in {full}; free space "
            "there, or pass another --reports"
        )
    if (unwritable := _unwritable(path, f" ({cause})")) is not None:
        return unwritable
    if (limit := _file_size_limit(exc)) is not None:
        return StoreStorageError(
            f"{path}: SQLite could not write it or {path.name}-wal and {path.name}-shm beside "
            f"it ({cause}): this process may not write a file past {limit} bytes (its file "
            "size limit, ulimit -f), and the index is intact; raise that limit and run the "
            "command again"
        )
    if "locked" in cause:
        return StoreBusyError(f"{path}: {locked_reason(cause)} and try again")
    return StoreError(
        f"{path}: the run index cannot be read ({cause}); repair it or move it aside (runs "
        "are then found by their folders)"
    )


def _unwritable(path: Path, cause: str) -> StoreStorageError | None:
    """Why SQLite cannot write ``path`` or the ``-wal`` and ``-shm`` files beside it, or None;
    ``cause`` (`` (SQLite's words)``, or empty) follows the reason. A read-only file system is
    asked of the file system itself (``ST_RDONLY``), of the file (a link's target, a read-only
    bind mount) and of its folder: root passes every permission check but that one, so taken
    for "permission denied" it sent root to change file modes that were never the cause."""
    folder = path.parent
    real = _resolved(path)
    if path.is_file() and read_only_fs(path):
        shown = "" if real == path else f" (it is {real})"
        return StoreStorageError(
            f"{path}: is on a read-only file system{shown}{cause}; remount that file system "
            "read-write, or copy the reports folder somewhere writable and pass it as --reports"
        )
    if folder.is_dir() and (read_only_fs(folder) or not os.access(folder, os.W_OK)):
        where = "is on a read-only file system" if read_only_fs(folder) else "is read-only"
        return StoreStorageError(
            f"{path}: the folder {where}{cause}: SQLite needs to write {path.name}-wal and "
            f"{path.name}-shm next to it; make {folder} writable, or copy the reports folder "
            "somewhere writable and pass it as --reports"
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        if _immutable(path):
            return StoreStorageError(
                f"{path}: is immutable or append-only{cause} (``lsattr`` shows it): no user, "
                f"root neither, may write it; clear the flag (chattr -i {path}), or copy the "
                "reports folder somewhere writable and pass it as --reports"
            )
        return StoreStorageError(
            f"{path}: permission denied{cause}; give this user read and write access to it"
        )
    return None


def _immutable(path: Path) -> bool:
    """Whether ``path`` carries the immutable or append-only flag (``chattr +i``/``+a``): it
    refuses a write open with EPERM, where file modes refuse with EACCES (and never root).
    Opened without truncating and closed at once: nothing is changed."""
    try:
        os.close(os.open(path, os.O_RDWR))
    except OSError as exc:
        return exc.errno == errno.EPERM
    return False


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def sqlite_fault_reason(path: Path, exc: sqlite3.DatabaseError | OSError) -> str:
    """:func:`sqlite_fault`'s cause and fix without the leading path, for a line that names the
    file itself (the runner's "cannot write PATH: ..."): a bare "file is not a database" left
    the user to find the fix the other commands give."""
    text = str(sqlite_fault(path, exc))
    return text.removeprefix(f"{path}: ")


_LOW_SPACE = 1 << 20
"""Free bytes under which SQLite's "disk I/O error" is taken for a full disk: SQLite says
SQLITE_FULL for a write that found no space, but only an I/O error for a ``-shm`` file it
could not grow, which it does in 32 KiB steps."""


def _full_disk(path: Path, exc: sqlite3.DatabaseError | OSError) -> Path | None:
    """The folder whose disk ``exc`` says (or, for SQLite's bare I/O error, its free space
    says) is full, or None. Python does not pass on the errno behind a SQLite I/O error, so
    the disk is asked (``os.statvfs``)."""
    if isinstance(exc, OSError):
        return path.parent if exc.errno in (errno.ENOSPC, errno.EDQUOT) else None
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = _first_line(exc)
    low = [p for p in _places(path) if (free := _free(p)) is not None and free < _LOW_SPACE]
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return low[0] if low else path.parent
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return low[0] if low else None
    return None


def _out_of_inodes(path: Path, exc: sqlite3.DatabaseError | OSError) -> Path | None:
    """The folder whose file system has no inode left for the file SQLite had to make, or
    None. SQLite says only "unable to open database file" (or an I/O error) when it cannot
    create ``-wal``/``-shm``, and the kernel ENOSPC alike for no block and no inode, so the
    file system is asked: a count of inodes kept (``f_files``; btrfs keeps none) with none
    left for this user (``f_favail``)."""
    if isinstance(exc, OSError) and exc.errno != errno.ENOSPC:
        return None
    if isinstance(exc, sqlite3.DatabaseError):
        name = getattr(exc, "sqlite_errorname", "") or ""
        text = _first_line(exc)
        if not (
            name.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL"))
            or "unable to open database file" in text
            or "disk I/O error" in text
            or "database or disk is full" in text
        ):
            return None
    for place in _places(path):
        try:
            stats = os.statvfs(place)
        except OSError:
            continue
        # A read-only file system (squashfs, ISO 9660) counts its inodes and says none free:
        # nothing can be made there, but for that reason, which ``_unwritable`` says.
        if stats.f_files > 0 and stats.f_favail == 0 and not stats.f_flag & os.ST_RDONLY:
            return place
    return None


def _file_size_limit(exc: sqlite3.DatabaseError | OSError) -> int | None:
    """This process's file size limit (RLIMIT_FSIZE, ``ulimit -f``) where ``exc`` is what a
    write past it gives, else None: EFBIG, or SQLite's bare I/O error, which passes on no errno
    (a ``-shm`` file grows in 32 KiB steps, a limit under that refuses its first). Without
    a limit (or on a platform without one: no ``resource`` module, Windows), that I/O error is
    left to the other causes."""
    try:
        import resource
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft == resource.RLIM_INFINITY:
        return None
    if isinstance(exc, OSError):
        return soft if exc.errno == errno.EFBIG else None
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = _first_line(exc)
    if name.startswith(("SQLITE_IOERR", "SQLITE_FULL")) or "disk I/O error" in text:
        return soft
    return None


def _places(path: Path) -> list[Path]:
    """The folders whose disks SQLite writes to for ``path``: its own, and the one its link
    points into (the file and its ``-wal``/``-shm`` may lie on two disks)."""
    places = [path.parent]
    try:
        real = path.resolve().parent
    except (OSError, RuntimeError):
        return places
    return places if real == path.parent.resolve() else [*places, real]


def _free(folder: Path) -> int | None:
    """The bytes this user may still write in ``folder``'s file system (None: unknown)."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    return stats.f_bavail * stats.f_frsize


def _special_file_fault(path: Path) -> StoreError:
    return StoreError(
        f"{path}: is not a regular file (a FIFO or a device), not the run index database; "
        "move it aside (runs are then found by their folders, and the next run makes a new "
        "index)"
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
