"""A response cache for model-based scorers (llm-judge, guard-model).

Judging the same response twice with the same judge must give the same verdict, and re-scoring
a run must not pay for the judge again, so each answer is kept under a hash of everything that
determines it: the judge's identity (endpoint, model, settings) and the exact request. In memory
for the process by default; in an SQLite file when the scorer names one (``cache: path``), where
each answer also notes the runs that used it (``store.scorercache``), for ``runs purge``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..datatypes import SuiteContext
from ..store import scorercache


def cache_key(identity: dict[str, Any], request: Any) -> str:
    blob = json.dumps([identity, request], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


@contextmanager
def _named(path: Path) -> Iterator[None]:
    """A fault of the cache file as an OSError naming it: the runner reports an OSError as a
    storage fault on its ``filename`` (exit 3, with the resume command), where a bare sqlite
    error would be taken for one of the run index's."""
    try:
        yield
    except sqlite3.Error as exc:
        advice = "; delete it, or name another file" if "not a database" in str(exc) else ""
        raise OSError(None, f"{exc} (the scorer's cache file{advice})", str(path)) from exc


def scorer_cache(path: str | None, context: SuiteContext) -> ModelCache:
    """The cache a scorer's ``cache`` parameter names, or one in memory only while the run stores
    its text redacted (``context.redacting``): a judge's reply quotes what it graded, and the
    file, which the suite names, is neither redacted nor purged."""
    return ModelCache(None if context.redacting else path, run_id=context.run_id)


class ModelCache:
    """Key -> answer text, in memory and optionally in SQLite (thread-safe); in the file, each
    answer got or put is noted as used by ``run_id`` (None: outside a run)."""

    def __init__(self, path: str | Path | None = None, *, run_id: str | None = None) -> None:
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._path = Path(path).absolute() if path else None
        self._run_id = run_id or scorercache.NO_RUN
        self._unnoted: list[str] = []
        if self._path is not None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with _named(self._path):
                self._db = sqlite3.connect(str(self._path), check_same_thread=False)
                scorercache.create(self._db)
        self.hits = 0

    @property
    def file(self) -> str | None:
        """The cache file's absolute path, None when answers are kept in memory only: what a
        scorer records in its description (``scorercache.CACHE_FILE``), so ``runs purge`` finds
        the file wherever it runs."""
        return None if self._path is None else str(self._path)

    def _note_uses(self) -> None:
        """Write that this run used the answers in ``_unnoted`` (the caller holds the lock and
        commits). Read answers are noted in one go, at the next put or ``flush``: a commit for
        each hit took about 0.8 ms, minutes for a run of 100,000 answers from the cache."""
        assert self._db is not None
        self._db.executemany(
            "INSERT OR IGNORE INTO uses VALUES (?, ?)", [(k, self._run_id) for k in self._unnoted]
        )
        self._unnoted.clear()

    def flush(self) -> None:
        """Write the uses of answers read from the file since the last write: a scorer calls
        this at the end of each batch, before its run can be recorded (``runs purge`` deletes
        the answers a run is noted as using)."""
        with self._lock:
            if self._unnoted and self._db is not None and self._path is not None:
                with _named(self._path):
                    self._note_uses()
                    self._db.commit()

    def get(self, key: str) -> str | None:
        with self._lock:
            if key in self._memory:
                self.hits += 1
                return self._memory[key]
            if self._db is not None and self._path is not None:
                with _named(self._path):
                    row = self._db.execute(
                        "SELECT text FROM answers WHERE key = ?", (key,)
                    ).fetchone()
                if row is not None and isinstance(row[0], str):
                    # (A row edited into bytes is no answer: judged again and replaced.)
                    self._unnoted.append(key)
                    self._memory[key] = row[0]
                    self.hits += 1
                    return row[0]
        return None

    def put(self, key: str, text: str) -> None:
        with self._lock:
            self._memory[key] = text
            if self._db is not None and self._path is not None:
                with _named(self._path):
                    self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?)", (key, text))
                    self._unnoted.append(key)
                    self._note_uses()
                    self._db.commit()
