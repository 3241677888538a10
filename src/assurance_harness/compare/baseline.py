"""Accepted baselines, one per (suite, target name), kept beside the run index in runs.db.

The key is the target's *name*, not its fingerprint: the point of a baseline is to compare a
changed deployment (new model version, new system prompt) with the last accepted one, and a
change of configuration changes the fingerprint. The fingerprint is recorded for the audit trail.
Every change is also appended to ``baseline_history``, so "who accepted what, when" survives.
"""

from __future__ import annotations

import getpass
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..report.rundata import RunData

_SCHEMA = """
CREATE TABLE IF NOT EXISTS baselines (
    suite TEXT NOT NULL,
    target_name TEXT NOT NULL,
    run_id TEXT NOT NULL,
    run_dir TEXT,
    target_fingerprint TEXT,
    suite_sha256 TEXT,
    set_at TEXT NOT NULL,
    set_by TEXT,
    note TEXT,
    PRIMARY KEY (suite, target_name)
);
CREATE TABLE IF NOT EXISTS baseline_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    suite TEXT NOT NULL,
    target_name TEXT NOT NULL,
    run_id TEXT,
    action TEXT NOT NULL,
    at TEXT NOT NULL,
    by TEXT,
    note TEXT
);
"""


@dataclass
class Baseline:
    suite: str
    target_name: str
    run_id: str
    run_dir: str | None
    target_fingerprint: str | None
    suite_sha256: str | None
    set_at: str
    set_by: str | None
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return None


class BaselineStore:
    """Read and write baselines in a SQLite file (normally ``reports/runs.db``)."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)

    def _connect(self) -> sqlite3.Connection:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.db_path, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.executescript(_SCHEMA)
        return conn

    def set(self, run: RunData, *, note: str | None = None) -> Baseline:
        """Make this run the baseline for its suite and target (replacing any earlier one)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        target = run.summary.get("target") or {}
        suite = run.summary.get("suite") or {}
        baseline = Baseline(
            suite=run.suite_name,
            target_name=run.target_name,
            run_id=run.run_id,
            run_dir=str(run.run_dir.resolve()),
            target_fingerprint=target.get("fingerprint"),
            suite_sha256=suite.get("sha256"),
            set_at=now,
            set_by=_user(),
            note=note,
        )
        with self._connect() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO baselines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    baseline.suite,
                    baseline.target_name,
                    baseline.run_id,
                    baseline.run_dir,
                    baseline.target_fingerprint,
                    baseline.suite_sha256,
                    baseline.set_at,
                    baseline.set_by,
                    baseline.note,
                ),
            )
            conn.execute(
                "INSERT INTO baseline_history (suite, target_name, run_id, action, at, by, note) "
                "VALUES (?, ?, ?, 'set', ?, ?, ?)",
                (baseline.suite, baseline.target_name, baseline.run_id, now, baseline.set_by, note),
            )
        conn.close()
        return baseline

    def clear(self, suite: str, target_name: str) -> bool:
        """Remove a baseline; True when there was one."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            cur = conn.execute(
                "DELETE FROM baselines WHERE suite = ? AND target_name = ?", (suite, target_name)
            )
            if cur.rowcount:
                conn.execute(
                    "INSERT INTO baseline_history (suite, target_name, run_id, action, at, by) "
                    "VALUES (?, ?, NULL, 'clear', ?, ?)",
                    (suite, target_name, now, _user()),
                )
        conn.close()
        return bool(cur.rowcount)

    def get(self, suite: str, target_name: str) -> Baseline | None:
        if not self.db_path.exists():
            return None
        with self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM baselines WHERE suite = ? AND target_name = ?",
                (suite, target_name),
            ).fetchone()
        conn.close()
        return Baseline(**dict(row)) if row else None

    def all(self, suite: str | None = None) -> list[Baseline]:
        if not self.db_path.exists():
            return []
        query = "SELECT * FROM baselines"
        args: tuple[str, ...] = ()
        if suite:
            query, args = query + " WHERE suite = ?", (suite,)
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY suite, target_name", args).fetchall()
        conn.close()
        return [Baseline(**dict(r)) for r in rows]

    def history(self, suite: str | None = None) -> list[dict[str, Any]]:
        if not self.db_path.exists():
            return []
        query = "SELECT * FROM baseline_history"
        args: tuple[str, ...] = ()
        if suite:
            query, args = query + " WHERE suite = ?", (suite,)
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY id", args).fetchall()
        conn.close()
        return [dict(r) for r in rows]
