"""The SQLite index of all runs (``reports/runs.db``): listing, lookup and later comparison."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from .runlog import IndexRow

COLUMNS = (
    "run_id",
    "suite",
    "suite_version",
    "suite_sha256",
    "target_name",
    "target_fingerprint",
    "model_version",
    "status",
    "started_at",
    "finished_at",
    "n_requests",
    "n_errors",
    "gates_passed",
    "gates_failed",
    "run_dir",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    suite TEXT NOT NULL,
    suite_version TEXT,
    suite_sha256 TEXT,
    target_name TEXT,
    target_fingerprint TEXT,
    model_version TEXT,
    status TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    n_requests INTEGER,
    n_errors INTEGER,
    gates_passed INTEGER,
    gates_failed INTEGER,
    run_dir TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_suite_target ON runs (suite, target_fingerprint, started_at);
"""


class RunIndex:
    """Thin wrapper over ``runs.db``; every call opens its own connection (process-safe)."""

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    def upsert(self, record: dict[str, Any] | IndexRow) -> None:
        """Insert or replace a run's row (``store.runlog.IndexRow``, or its mapping)."""
        if isinstance(record, IndexRow):
            record = record.model_dump()
        values = [record.get(c) for c in COLUMNS]
        placeholders = ", ".join("?" for _ in COLUMNS)
        with self._connect() as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO runs ({', '.join(COLUMNS)}) VALUES ({placeholders})",
                values,
            )

    def get(self, run_id: str) -> dict[str, Any] | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return dict(row) if row else None

    def list_runs(
        self,
        *,
        suite: str | None = None,
        target_fingerprint: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Newest first."""
        query = "SELECT * FROM runs"
        clauses: list[str] = []
        args: list[Any] = []
        for column, value in (
            ("suite", suite),
            ("target_fingerprint", target_fingerprint),
            ("status", status),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY started_at DESC, run_id DESC"
        if limit is not None:
            query += " LIMIT ?"
            args.append(limit)
        with self._connect() as conn:
            return [dict(r) for r in conn.execute(query, args).fetchall()]
