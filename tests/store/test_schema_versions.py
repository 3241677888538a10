"""Issue 15 item 3: the store's schema is versioned (a ``schema_version`` table) and upgraded in
place, in both engines: a store written before versioning (schema 1) gains what later versions
add without losing a row, a fresh store starts at the current version, and a store newer than
this tool is refused in one line, never silently downgraded or half understood."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.store.database import Database, SqliteDatabase
from assurance_harness.store.index import RunIndex
from assurance_harness.store.postgres import StoreError
from assurance_harness.store.schema import SCHEMA_VERSION, schema_version

from .test_team_store import _run_row


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        return SqliteDatabase(tmp_path / "runs.db")
    from assurance_harness.store.postgres import PostgresDatabase

    return PostgresDatabase(request.getfixturevalue("pg_url"))


def _write_schema_1(db: Database) -> None:
    """The store exactly as versions before schema versioning created it."""
    import sqlite3

    from assurance_harness.store.schema import BASE_POSTGRES, BASE_SQLITE

    if isinstance(db, SqliteDatabase):
        with sqlite3.connect(db.path) as conn:
            conn.executescript(BASE_SQLITE)
        return
    with db.transaction() as conn:
        conn._conn.execute(BASE_POSTGRES.encode())  # type: ignore[attr-defined]
        conn.execute("INSERT INTO store_meta (key, value) VALUES ('schema_version', '1')")


def _versions(db: Database) -> list[int]:
    with db.transaction() as conn:
        rows = conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    return [int(r["version"]) for r in rows]


def test_a_fresh_store_starts_at_the_current_version(fresh: Database) -> None:
    assert SCHEMA_VERSION >= 2
    fresh.ensure_schema()
    assert _versions(fresh) == list(range(1, SCHEMA_VERSION + 1))
    with fresh.transaction() as conn:
        assert schema_version(conn, fresh.dialect) == SCHEMA_VERSION


def test_a_schema_1_store_is_upgraded_in_place_and_keeps_its_rows(fresh: Database) -> None:
    _write_schema_1(fresh)
    with fresh.transaction() as conn:
        assert schema_version(conn, fresh.dialect) == 1
        conn.execute(
            "INSERT INTO runs (run_id, suite, status, started_at, run_dir) "
            "VALUES ('r1', 'tox', 'passed', '2026-01-01T00:00:00', 'x')"
        )
    index = RunIndex(fresh)  # first use upgrades
    assert _versions(fresh) == list(range(1, SCHEMA_VERSION + 1))
    got = index.get("r1")
    assert got is not None and got["suite"] == "tox"
    index.upsert(_run_row("r2", "2026-01-02T00:00:00"))
    assert [r["run_id"] for r in index.list_runs()] == ["r2", "r1"]


def test_a_store_newer_than_this_tool_is_refused(fresh: Database) -> None:
    fresh.ensure_schema()
    with fresh.transaction() as conn:
        conn.execute(
            "INSERT INTO schema_version (version, applied_at, applied_by) VALUES (?, 'x', 'y')",
            (SCHEMA_VERSION + 1,),
        )
    if isinstance(fresh, SqliteDatabase):
        fresh = SqliteDatabase(fresh.path)  # a new process: nothing cached
    else:
        from assurance_harness.store import postgres

        postgres._schema_ready.clear()
    with pytest.raises(StoreError, match=f"schema version {SCHEMA_VERSION + 1}.*upgrade") as caught:
        RunIndex(fresh)
    # Which store: with several (a team store, a runs.db per checkout) the message must say.
    assert str(caught.value).startswith(f"{fresh.where}: "), caught.value
