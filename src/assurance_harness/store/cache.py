"""The response cache: a SQLite file that maps (target fingerprint, conversation, generation
parameters, seed, sample) to a response, so re-running a suite does not re-send what the same
target already answered.

Writes are buffered and committed in batches (every ``flush_every`` puts, or once the answers
buffered hold ``flush_chars`` characters, every ``flush_interval_s`` seconds, and on
``close()``): one commit per response would cost an fsync each and dominate a fast run, and
small batches of random keys rewrite the same index pages in commit after commit (100,000 puts
took 2.6 s in batches of 256, 1.5 s in batches of 4,096: ``benchmarks/cache_writes.py``). WAL
mode and a busy timeout let several processes share the file. A crash loses at most the last
unflushed batch, which only means those requests are sent again.

The cache is an optimisation, never a reason to stop a run: when its file cannot be used (another
process holds its write lock past the wait, it is not a SQLite file, its disk is full) the cache
stops being used, :attr:`ResponseCache.fault` says why, and the run goes on sending to the target.
What the run measures is then what it would have measured with the cache off.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from ..datatypes import GenerationRequest, GenerationResponse, plain_value
from .lockwait import watched

SCHEMA_VERSION = 1

BUSY_TIMEOUT_S = 30.0
"""How long a write waits for another process's write to the same file to finish."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    model_version TEXT,
    finish_reason TEXT,
    usage TEXT,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


_KEYS_A_QUERY = 500
"""Keys in one ``IN (...)`` list: under SQLite's oldest limit of 999 bound parameters."""


def key_for(
    fingerprint: str,
    request: GenerationRequest,
    *,
    metadata: bool = False,
    case_id: bool = False,
) -> str:
    """The cache key: everything that decides a response, nothing that does not. ``metadata``:
    the target may read the case's metadata (``Target.reads_metadata``), so where the case has
    any it is in the key: left out, a case whose metadata was edited got the answer to the old
    one. A case without metadata, or a target that never reads it, keeps the key it always had
    (the entries stay usable). ``case_id``: the target may read the case's id
    (``Target.reads_case_id``), so it is in the key: the seed alone (31 bits of a hash of the
    id) is shared by two cases of a large suite, and two such cases of one conversation got one
    answer. A target that never reads it keeps the key it always had."""
    entry: dict[str, Any] = {
        "v": SCHEMA_VERSION,
        "target": fingerprint,
        "messages": request.messages,
        "params": request.params,
        "seed": request.seed,
        "sample": request.sample,
    }
    if metadata and request.metadata:
        entry["metadata"] = request.metadata
    if case_id:
        entry["case_id"] = request.case_id
    blob = json.dumps(
        entry,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _stored_answer(row: tuple[Any, ...]) -> tuple[GenerationResponse, float] | None:
    """A ``responses`` row (text, model_version, finish_reason, usage, created_at, run_id) as
    the answer it stores and when it was stored; None for a row that cannot be one (edited by
    hand, written in part): a miss, so the request is sent again, rather than a crash out of
    the run or an answer the model never gave (bytes where text belongs, usage that is not an
    object)."""
    text, model_version, finish_reason, usage, created_at, source_run = row
    if not isinstance(text, str) or not all(
        value is None or isinstance(value, str)
        for value in (model_version, finish_reason, usage, source_run)
    ):
        return None
    try:
        created = float(created_at)
        decoded = json.loads(usage) if usage else None
    except (TypeError, ValueError):  # json.JSONDecodeError is a ValueError
        return None
    if (decoded is not None and not isinstance(decoded, dict)) or created != created:  # NaN
        return None
    answer = GenerationResponse(
        text=text,
        model_version=model_version,
        finish_reason=finish_reason,
        usage=decoded,
        source_run=source_run,
    )
    return answer, created


class ResponseCache:
    """A SQLite response cache; one instance per process, usable from one event loop thread.

    ``run_id`` is stored with each answer put, so a later run that reuses it can say which run
    measured it; ``read=False`` only writes (an evidence run measures, but later exploratory
    runs may reuse its answers); ``max_age_s`` ignores answers older than that.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        flush_every: int = 4096,
        flush_chars: int = 16_000_000,
        flush_interval_s: float = 2.0,
        busy_timeout_s: float | None = None,
        run_id: str | None = None,
        read: bool = True,
        max_age_s: float | None = None,
    ) -> None:
        self.path = Path(path)
        self.run_id = run_id
        self.read = read
        self.max_age_s = max_age_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.flush_every = flush_every
        self.flush_chars = flush_chars
        """The buffered answers' characters that start a commit: what bounds the buffer's
        memory when answers are long (4,096 answers of a megabyte each would be gigabytes)."""
        self._pending_chars = 0
        self.flush_interval_s = flush_interval_s
        self._lock = threading.Lock()
        self._pending: dict[str, GenerationResponse] = {}
        self._last_flush = time.monotonic()
        self.hits = 0
        self.misses = 0
        self.fault: str | None = None
        """Why the cache stopped being used, else None (see the module's docstring)."""
        self._damaged: set[str] = set()
        """Keys whose stored row could not be read as an answer (:func:`_stored_answer`)."""
        self._absent: set[str] = set()
        """Keys :meth:`read_ahead` found no row for, not asked for since."""
        self._db: sqlite3.Connection | None = None
        # Another process's write lock keeps a statement waiting inside SQLite (up to the busy
        # timeout, the event loop with it): past a second that is said once, as for runs.db.
        self._watching = contextlib.ExitStack()
        self._wait = self._watching.enter_context(watched())
        self._wait.describe = self._waiting_for
        try:
            # check_same_thread=False: the runner may close the cache from a different thread
            # than the one that opened it (typer/asyncio shutdown); _lock serialises access.
            self._busy_timeout_s = BUSY_TIMEOUT_S if busy_timeout_s is None else busy_timeout_s
            self._db = sqlite3.connect(
                str(self.path),
                timeout=self._busy_timeout_s,
                isolation_level=None,
                check_same_thread=False,
            )
            with self._wait.blocking():
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.executescript(_SCHEMA)
                columns = {row[1] for row in self._db.execute("PRAGMA table_info(responses)")}
                if "run_id" not in columns:  # a cache file from before answers had their run
                    self._db.execute("ALTER TABLE responses ADD COLUMN run_id TEXT")
        except sqlite3.Error as exc:
            self._stop_using(exc)

    def _waiting_for(self) -> str:
        """The ``waiting:`` line of a statement another process's lock holds (``lockwait``)."""
        return (
            f"the response cache {self.path} is locked by another process; waiting up to "
            f"{self._busy_timeout_s:g} s, then the run goes on without it"
        )

    key_for = staticmethod(key_for)

    def get(self, key: str) -> GenerationResponse | None:
        """The cached response for ``key``, including puts not yet committed (None when this
        cache does not read, or the entry is older than ``max_age_s``)."""
        if not self.read or self._db is None:
            self.misses += 1
            return None
        pending = self._pending.get(key)
        if pending is not None:
            self.hits += 1
            return GenerationResponse(
                text=pending.text,
                model_version=pending.model_version,
                finish_reason=pending.finish_reason,
                usage=pending.usage,
                source_run=self.run_id,
            )
        if key in self._absent:
            self._absent.discard(key)
            row = None
        else:
            try:
                with self._lock, self._wait.blocking():
                    row = self._db.execute(
                        "SELECT text, model_version, finish_reason, usage, created_at, run_id "
                        "FROM responses WHERE key = ?",
                        (key,),
                    ).fetchone()
            except sqlite3.Error as exc:
                self._stop_using(exc)
                row = None
        stored = None if row is None else _stored_answer(row)
        if row is not None and stored is None:
            self._damaged.add(key)
        if stored is None or (
            self.max_age_s is not None and time.time() - stored[1] > self.max_age_s
        ):
            self.misses += 1
            return None
        self.hits += 1
        return stored[0]

    def read_ahead(self, keys: Sequence[str]) -> None:
        """Find which of ``keys`` have no stored answer, in one query, so the :meth:`get` of
        each misses without a query of its own (the keys given last time and not asked for
        since are forgotten). A query a request cost a statement and a hand-over of the
        interpreter's lock each: a third of the sending time of a run against a fast target.
        Only the keys are read, not the answers, so memory stays a batch of keys however long
        the stored answers are; a key found here is read by its ``get`` as before. A row another
        process stores between this read and the ``get`` is missed and its request sent: as if
        the other process had been a moment later."""
        self._absent = set()
        if not self.read or self._db is None or not keys:
            return
        found: set[str] = set()
        try:
            with self._lock, self._wait.blocking():
                for start in range(0, len(keys), _KEYS_A_QUERY):
                    part = keys[start : start + _KEYS_A_QUERY]
                    marks = ",".join("?" * len(part))
                    found.update(
                        key
                        for (key,) in self._db.execute(
                            f"SELECT key FROM responses WHERE key IN ({marks})", part
                        )
                    )
        except sqlite3.Error as exc:
            self._stop_using(exc)
            return
        self._absent = set(keys) - found

    @property
    def damaged(self) -> int:
        """Entries read this run that could not be read as an answer (each sent again)."""
        return len(self._damaged)

    def damage_note(self) -> str | None:
        """What to tell the user when entries could not be read, else None."""
        if not self._damaged:
            return None
        entries = "1 entry" if self.damaged == 1 else f"{self.damaged} entries"
        return (
            f"{entries} of the response cache ({self.path}) could not be read (edited by hand "
            "or written in part); their requests were sent again and the entries replaced"
        )

    def put(self, key: str, response: GenerationResponse) -> None:
        """Store a successful response; committed with the next batch."""
        self._pending[key] = response
        self._pending_chars += len(response.text)
        if (
            len(self._pending) >= self.flush_every
            or self._pending_chars >= self.flush_chars
            or time.monotonic() - self._last_flush >= self.flush_interval_s
        ):
            self.flush()

    def flush(self) -> None:
        """Commit buffered puts in one transaction."""
        self._last_flush = time.monotonic()
        self._pending_chars = 0
        db = self._db
        if db is None:
            self._pending.clear()
            return
        if not self._pending:
            return
        self._absent.difference_update(self._pending)  # stored now: read by their get
        now = time.time()
        rows = [
            (
                key,
                r.text,
                r.model_version,
                r.finish_reason,
                _usage_json(r.usage) if r.usage is not None else None,
                now,
                self.run_id,
            )
            for key, r in self._pending.items()
        ]
        try:
            with self._lock, self._wait.blocking():
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.executemany(
                        "INSERT OR REPLACE INTO responses "
                        "(key, text, model_version, finish_reason, usage, created_at, run_id) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        rows,
                    )
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            self._stop_using(exc)
        self._pending.clear()

    def _stop_using(self, exc: sqlite3.Error) -> None:
        """Go on without the file: later gets miss and puts are dropped (see :attr:`fault`)."""
        advice = "; delete it to start a new cache" if "not a database" in str(exc) else ""
        self.fault = (
            f"the response cache {self.path} could not be used ({exc}): the run went on "
            f"without it, so its answers from then on were sent to the target and are not "
            f"cached{advice}"
        )
        with self._lock:
            if self._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
            self._db = None

    def __len__(self) -> int:
        if self._db is None:
            return 0
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM responses").fetchone()
        return int(count) + sum(1 for k in self._pending if not self._committed(k))

    def _committed(self, key: str) -> bool:
        assert self._db is not None
        with self._lock:
            row = self._db.execute("SELECT 1 FROM responses WHERE key = ?", (key,)).fetchone()
        return row is not None

    def close(self) -> None:
        """Commit what is buffered and close the file."""
        try:
            if self._db is not None:
                self.flush()
        finally:
            with self._lock:
                if self._db is not None:  # None: flush() stopped using it
                    self._db.close()
                self._db = None
            self._watching.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _usage_json(usage: object) -> str:
    """A response's ``usage`` as JSON. A local model's callable may count in numpy numbers
    (``np.int64``), kept as the numbers they are; anything else JSON cannot hold is spelt as
    text: usage is informational, and failing to cache it must not end a run."""
    return json.dumps(usage, default=_plain)


def _plain(value: Any) -> Any:
    """A numpy number or array as Python's (``tolist``), anything else as its text."""
    plain = plain_value(value)
    return str(value) if plain is value else plain


def open_for_purge(path: Path, *, dry_run: bool, timeout: float) -> sqlite3.Connection:
    """A cache file opened to delete a purged run's answers (freed pages zeroed), or, for a
    dry run, only to count them: read-only as ``store.readonly`` opens a reader, so the dry
    run of an archive on read-only media counts what is there."""
    from .readonly import reader_uri

    if dry_run:
        from .files import check_changeable

        check_changeable(path)
        return sqlite3.connect(reader_uri(path), uri=True, timeout=timeout)
    db = sqlite3.connect(str(path), timeout=timeout)
    db.execute("PRAGMA secure_delete = ON")
    return db


def purge_fault(path: Path, what: str, exc: sqlite3.Error | OSError) -> Exception:
    """The error of a purge that could not delete ``what`` from the SQLite file ``path``:
    a file or folder that cannot be written (``files.check_changeable``) is a storage fault (exit
    3), the same purge working once it is fixed; SQLite's own errors are said as they are.
    What the purge left (nothing, or its record) is the purge's to say (``privacy.retention``)."""
    from .faults import StoreStorageError
    from .postgres import StoreError

    cause = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.EPERM:  # EACCES for file modes
        cause += ": it is immutable or append-only, as lsattr shows"
    line = (
        f"{path}: cannot delete {what} ({cause}); fix that (or delete the file), then purge again"
    )
    return StoreStorageError(line) if isinstance(exc, OSError) else StoreError(line)


def forget_runs(path: Path, run_ids: list[str], *, dry_run: bool = False) -> int:
    """Delete (``dry_run``: count) the answers these runs received (``runs purge``); how many.
    The cache would keep a purged run's responses, and serve them to a later run. Answers an
    older version stored without their run (``run_id`` NULL, or no such column yet) cannot be
    shown to be another run's, so they go too. Freed pages are zeroed and the WAL is emptied,
    so no copy stays in the file. A cache that cannot be changed is a StoreError naming it: a
    purge must not claim to have deleted what it could not."""
    if not run_ids or not path.is_file():
        return 0
    from contextlib import closing

    try:
        with closing(open_for_purge(path, dry_run=dry_run, timeout=BUSY_TIMEOUT_S)) as db:
            columns = {row[1] for row in db.execute("PRAGMA table_info(responses)")}
            if not columns:
                return 0
            chosen, args = (
                (f"run_id IS NULL OR run_id IN ({','.join('?' * len(run_ids))})", run_ids)
                if "run_id" in columns
                else ("1", [])
            )
            (count,) = db.execute(f"SELECT COUNT(*) FROM responses WHERE {chosen}", args).fetchone()
            if dry_run:
                return int(count)
            with db:
                db.execute(f"DELETE FROM responses WHERE {chosen}", args)
            # Even with none left to delete: a purge the checkpoint failed left copies behind.
            empty_the_wal(db, path)
    except (sqlite3.Error, OSError) as exc:
        raise purge_fault(path, "the purged runs' cached answers", exc) from None
    return int(count)


def empty_the_wal(db: sqlite3.Connection, path: Path) -> None:
    """Move a purge's deletions out of the write-ahead log into the file (nothing in rollback
    mode), or a StoreError where another process keeps it busy: the deleted pages' old copies
    are then still in the log, and the purge must not say it deleted them."""
    from .postgres import StoreError

    (busy, *_) = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        raise StoreError(
            f"{path}: the purged runs' cached answers were deleted, but another process kept "
            "the file busy, so their old copies are still in it: run the "
            "same purge again once no run is using the cache"
        )
