"""The model scorers' cache file (``cache: FILE`` of llm-judge and guard-model): its tables,
which file each run used, and the answers a retention purge deletes from it.

An answer is stored under a hash of its request (``answers``), so the file cannot tell whose
text an answer quotes; each run that received or read an answer is therefore noted beside it
(``uses``), and ``runs purge`` deletes every answer a purged run used, even one a kept run used
too: the kept run holds its own copy in its results, and scoring it again asks the model again.
An answer noted without a run (written before runs were noted, or outside a run) cannot be
shown to be some other run's, so a purge of a run that used the file deletes it as well.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, text TEXT);
CREATE TABLE IF NOT EXISTS uses (
    key TEXT NOT NULL, run_id TEXT NOT NULL, PRIMARY KEY (key, run_id)
);
"""

NO_RUN = ""
"""The ``uses.run_id`` of an answer received outside a run, or before uses were noted."""

CACHE_FILE = "cache_file"
"""The key of a scorer's description (summary.json ``scorers.<id>``) naming the cache file
it used, as an absolute path; None where it used none (in memory only, under redaction)."""


def create(db: sqlite3.Connection) -> None:
    """The tables, in a file new or old: answers stored before ``uses`` existed are noted as
    received outside a run (``NO_RUN``), so the next purge of a run that used the file deletes
    them."""
    had_uses = _has_uses(db)
    db.executescript(SCHEMA)
    if not had_uses:
        db.execute("INSERT OR IGNORE INTO uses SELECT key, ? FROM answers", (NO_RUN,))
    db.commit()


def _has_uses(db: sqlite3.Connection) -> bool:
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'uses'")
    return found.fetchone() is not None


def files_of_run(run_dir: Path) -> list[Path]:
    """The scorer cache files a finished run used, from its summary.json (a kept file): the
    path each scorer recorded (``CACHE_FILE``), else, in a summary written before that was
    recorded, its ``cache`` parameter, relative to where the command runs as the run read it."""
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    scorers = summary.get("scorers") if isinstance(summary, dict) else None
    found: list[Path] = []
    for info in scorers.values() if isinstance(scorers, dict) else ():
        if not isinstance(info, dict) or info.get("name") not in ("llm-judge", "guard-model"):
            continue
        if CACHE_FILE in info:
            named = info[CACHE_FILE]
        else:
            params = info.get("params")
            named = params.get("cache") if isinstance(params, dict) else None
        if isinstance(named, str) and named:
            path = Path(named).absolute()
            if path not in found:
                found.append(path)
    return found


def forget_runs(path: Path, run_ids: list[str], *, dry_run: bool = False) -> int:
    """Delete (``dry_run``: count) the answers of ``path`` these runs used, and those noted
    without a run; how many. Freed pages are zeroed, so no copy stays in the file. A file that
    cannot be read or changed is a StoreError naming it: a purge must not claim to have deleted
    what it could not."""
    from .cache import BUSY_TIMEOUT_S, empty_the_wal, open_for_purge, purge_fault

    if not run_ids or not path.is_file():
        return 0
    marks = ",".join("?" * (len(run_ids) + 1))
    try:
        with closing(open_for_purge(path, dry_run=dry_run, timeout=BUSY_TIMEOUT_S)) as db:
            if not _has_uses(db):  # a file no run was noted in: every answer may be theirs
                chosen = "SELECT key FROM answers"
                args: list[str] = []
            else:
                chosen = f"SELECT DISTINCT key FROM uses WHERE run_id IN ({marks})"
                args = [*run_ids, NO_RUN]
            (count,) = db.execute(
                f"SELECT COUNT(*) FROM answers WHERE key IN ({chosen})", args
            ).fetchone()
            if dry_run:
                return int(count)
            if count:
                with db:
                    keys = [row[0] for row in db.execute(chosen, args)]
                    db.executemany("DELETE FROM answers WHERE key = ?", [(k,) for k in keys])
                    if _has_uses(db):
                        db.executemany("DELETE FROM uses WHERE key = ?", [(k,) for k in keys])
            # Even with none left to delete: a purge the checkpoint failed left copies behind.
            empty_the_wal(db, path)
            return int(count)
    except (sqlite3.Error, OSError) as exc:
        raise purge_fault(
            path, "the purged runs' answers from this scorer cache file", exc
        ) from None
