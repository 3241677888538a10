"""One way to the store's tables, whether they live in SQLite (embedded) or PostgreSQL (team).

The run index, the baselines and the review store are written once against ``Database``:
statements use ``?`` placeholders and the SQL both engines share (``INSERT ... ON CONFLICT``),
rows come back as dicts, and each ``transaction()`` commits on success and rolls back on error.
Only the tables' definitions differ (``store.schema``). Every transaction opens its own
connection, so several processes (runners, the web app, reviewers) can use one store at once.
A transaction that only reads is ``reading()``: on the embedded store it opens the file
read-only, so an archived reports folder on read-only media can still be read
(``store.readonly``).
"""

from __future__ import annotations

import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path
from typing import Any, Literal

from .lockwait import Wait, watched
from .readonly import read_only_medium, reader_uri

Dialect = Literal["sqlite", "postgresql"]

__all__ = ["BUSY_TIMEOUT_S", "Connection", "Database", "Dialect", "SqliteDatabase"]

BUSY_TIMEOUT_S = 30.0
"""How long a statement on the embedded store waits for another process's write lock before it
fails with "database is locked" (SQLite's busy timeout); past ``lockwait.NOTICE_AFTER_S`` the
wait is said in one line."""


class Result:
    """Rows of one statement as dicts, and how many rows it changed."""

    def __init__(self, rows: list[dict[str, Any]], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> dict[str, Any] | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[dict[str, Any]]:
        return list(self._rows)


class Connection(ABC):
    """An open transaction on a store database."""

    dialect: Dialect

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        """Run one statement written with ``?`` placeholders."""

    @abstractmethod
    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Run one SELECT and give its rows one at a time, for an answer that may be large
        (every queued row of every run): ``execute`` holds them all as dicts at once. Read
        them before the transaction ends."""

    @abstractmethod
    def insert_id(self, sql: str, params: Sequence[Any] = (), *, column: str = "id") -> int:
        """Run one INSERT and return the generated ``column`` of the new row."""

    @abstractmethod
    def lock(self, name: str) -> None:
        """Hold a lock named ``name`` until this transaction ends, so read-then-write steps of
        several writers (the ledger's read-last-hash + append) happen one after the other."""


class Database(ABC):
    """Where a store's tables are: a SQLite file or a PostgreSQL database."""

    dialect: Dialect

    @property
    @abstractmethod
    def where(self) -> str:
        """How messages name it (a path, or the URL without any secret)."""

    def exists(self) -> bool:
        """Whether there is anything to read yet (readers need not create an empty file)."""
        return True

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Connection]:
        """A connection in a transaction: committed when the block ends, rolled back on error."""

    def reading(self) -> AbstractContextManager[Connection]:
        """A transaction whose statements only read: it opens where the store can only be read
        (the embedded one on read-only media, ``store.readonly``); a write in it fails.
        The team store needs nothing more than a transaction for that."""
        return self.transaction()

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create the store's tables when missing (``store.schema``)."""


class _SqliteConnection(Connection):
    dialect: Dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection, path: Path, wait: Wait) -> None:
        self._conn = conn
        self._path = path
        self._wait = wait
        wait.describe = self._waiting_for
        self._writing = False
        """A statement of this transaction wrote (or ``lock`` began it): the write lock is
        this connection's, so a slow statement is not a wait for another process."""

    def _run(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        with self._wait.blocking():
            cursor = self._conn.execute(sql, tuple(params))
        # In sqlite3's default (legacy) mode only a write, or BEGIN IMMEDIATE, opens a
        # transaction: once open, this connection holds the write lock to its end.
        self._writing = self._conn.in_transaction
        return cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        cursor = self._run(sql, params)
        rows = [dict(r) for r in cursor.fetchall()] if cursor.description else []
        return Result(rows, cursor.rowcount)

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        # SQLite steps the statement as the rows are asked for; in WAL mode a reader holds
        # no lock a writer waits for.
        for row in self._run(sql, params):
            yield dict(row)

    def insert_id(self, sql: str, params: Sequence[Any] = (), *, column: str = "id") -> int:
        # lastrowid is the INTEGER PRIMARY KEY the store's tables use for ``column``.
        cursor = self._run(sql, params)
        return int(cursor.lastrowid or 0)

    def lock(self, name: str) -> None:
        # BEGIN IMMEDIATE: the database's one write lock, held to the end of the transaction.
        if not self._conn.in_transaction:
            self._run("BEGIN IMMEDIATE", ())

    def _waiting_for(self) -> str | None:
        """The line a statement blocked this long says (``lockwait``), when what it waits for
        is another connection's write lock; asked on the watching thread."""
        if self._writing or not _write_locked_elsewhere(self._path):
            return None
        return (
            f"{self._path} is locked by another process's write (a write takes milliseconds); "
            f"waiting up to {BUSY_TIMEOUT_S:g} s for it"
        )


def _write_locked_elsewhere(path: Path) -> bool:
    """Whether another connection holds the database's write lock now: BEGIN IMMEDIATE on a
    connection of our own, not waiting, fails only then (taken, it is let go at once)."""
    try:
        uri = path.resolve().as_uri() + "?mode=rw"  # never creates the file
        with closing(sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)) as probe:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    return False


_EMPTY_LOOKS = 5
_EMPTY_PAUSE_S = 0.05


def _refuse_emptied(path: Path) -> None:
    """A StoreError where the index at ``path`` is an empty file (0 bytes) beside run folders
    it indexed: cut short by a full disk or a failed copy, not new. SQLite makes a database of
    an empty file, so it read as a store nothing had been written to ("no baseline set", no
    review verdicts, exit 0) and the next write made a fresh index over it: the baselines and
    verdicts it held lost without a word. In a folder holding no run it is a new store. A
    process making the index may hold it empty for a moment, before its tables are written:
    it is said only when it lasts."""
    for look in range(_EMPTY_LOOKS):
        try:
            if path.stat().st_size != 0:
                return
        except OSError:  # none there (a new store), or one SQLite itself will name
            return
        if look < _EMPTY_LOOKS - 1:
            time.sleep(_EMPTY_PAUSE_S)
    try:
        runs = any((child / "manifest.json").is_file() for child in path.parent.iterdir())
    except OSError:
        return
    if runs:
        from .postgres import StoreError  # store.postgres imports this module

        raise StoreError(
            f"{path}: is empty (0 bytes), yet {path.parent} holds runs it indexed: it was cut "
            "short (a full disk, a failed copy), and its baselines and review verdicts are kept "
            "only there; restore it from a copy, or delete it to start a new index (the runs "
            "stay in their folders, their evidence in the ledger)"
        )


class SqliteDatabase(Database):
    """The embedded store: ``reports/runs.db`` (WAL mode, a busy timeout of ``BUSY_TIMEOUT_S``)."""

    dialect: Dialect = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._schema_done = False

    @property
    def where(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The inner ``with`` commits, or rolls back on an exception.
        with watched() as wait, self._connect(wait) as wrapped, wrapped._conn:
            yield wrapped

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """On read-only media the file opened read-only (``store.readonly.reader_uri``), where
        ``transaction`` cannot open it; elsewhere the ordinary way: a read-only connection
        leaves ``-wal`` and ``-shm`` behind it, which only a writable one removes as it closes,
        so a listing would leave two files in the reports folder."""
        read_only = read_only_medium(self.path)
        with watched() as wait, self._connect(wait, read_only=read_only) as wrapped, wrapped._conn:
            yield wrapped

    @contextmanager
    def _connect(self, wait: Wait, *, read_only: bool = False) -> Iterator[_SqliteConnection]:
        """A connection whose statements ``wait`` watches (a wait for another process's write
        lock is said in one line), in WAL mode so readers never wait for a writer; with
        ``read_only``, one that cannot write (the file keeps the journal mode it has)."""
        if read_only:
            connection = sqlite3.connect(reader_uri(self.path), uri=True, timeout=BUSY_TIMEOUT_S)
        else:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        with closing(connection) as conn:
            conn.row_factory = sqlite3.Row
            wrapped = _SqliteConnection(conn, self.path, wait)
            if not read_only:
                wrapped.execute("PRAGMA journal_mode=WAL")
            yield wrapped

    def ensure_schema(self) -> None:
        """Create the tables, or bring an older store up to this tool's schema version
        (``store.schema``); processes racing here agree (the DDL is idempotent, and a column
        another process added is its finished upgrade). On read-only media the version is only
        read: a store of this version is read as it is, and one that needs its upgrade fails
        writing it, said as the read-only file system it is."""
        if self._schema_done and self.path.exists():
            return
        _refuse_emptied(self.path)
        from .schema import SCHEMA_VERSION, record_versions, schema_version, upgrade_scripts

        read_only = read_only_medium(self.path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with watched() as wait, self._connect(wait, read_only=read_only) as wrapped:
            conn = wrapped._conn
            version = schema_version(wrapped, "sqlite")
            if version != SCHEMA_VERSION:
                # One transaction for the DDL and its version rows: each statement alone would
                # commit, and sync the file, on its own (21 syncs, 50-90 ms, for a new store),
                # and an upgrade cut short would leave part of a version behind.
                ddl = "".join(upgrade_scripts(version, "sqlite", self.where))
                try:
                    with wait.blocking():
                        conn.executescript(f"BEGIN IMMEDIATE;\n{ddl}\n")
                except sqlite3.OperationalError:
                    # SQLite's ADD COLUMN has no IF NOT EXISTS: a process that read the old
                    # version while another upgraded the store meets the column once it has
                    # the write lock ("duplicate column name"). That upgrade done is this one.
                    conn.rollback()
                    if schema_version(wrapped, "sqlite") != SCHEMA_VERSION:
                        raise
                else:
                    with conn:  # commits, or rolls the DDL back with the rows
                        record_versions(wrapped)
        self._schema_done = True
