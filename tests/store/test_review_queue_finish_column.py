"""The review queue keeps how each queued answer ended (``review_queue.finish_reason``, schema
version 3), so every listing of the queue can mark a cut-off answer. A store written by the
previous schema (version 2) opens, is upgraded in place, and its rows read as "not known",
never as complete; ``store migrate`` carries the column into the team store. Both engines (the
PostgreSQL cases skip without PostgreSQL, ``tests/testing/postgres.py``)."""

from __future__ import annotations

import html
import json
import sqlite3
import urllib.parse
from contextlib import closing
from pathlib import Path

import pytest

from assurance_harness.review.store import FINISH_NOT_KNOWN, ReviewStore
from assurance_harness.store import schema
from assurance_harness.store.database import Database, SqliteDatabase

from ..review.serve import get_page, serving
from ..testing.cli import invoke_in_process

SCHEMA_2_QUEUE = """
CREATE TABLE IF NOT EXISTS review_queue (
    run_id TEXT NOT NULL,
    row_key TEXT NOT NULL,
    reasons TEXT NOT NULL,
    required INTEGER NOT NULL,
    scorer_label INTEGER,
    prompt TEXT,
    response TEXT,
    scores TEXT NOT NULL,
    metadata TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    PRIMARY KEY (run_id, row_key)
);"""
"""``review_queue`` as schema versions 1 and 2 made it in SQLite (what ``BASE_SQLITE`` holds)."""

OLD_ROW = (
    "INSERT INTO review_queue (run_id, row_key, reasons, required, scorer_label, prompt, "
    "response, scores, metadata, queued_at) VALUES ('old-run', 'c1#0', '[\"flag\"]', 1, 1, "
    "'p', 'I hate this question and', '{}', '{}', '2026-01-01T00:00:00+00:00')"
)
"""A row queued by a tool of schema 2: an answer that may have been cut off, no one knows."""

CUT = {"case_id": "c2", "sample": 0, "prompt": "q", "response": "half an", "scores": {}}
CUT_ITEM = {"key": "c2#0", "reasons": ["flag"], "scorer_label": True}


@pytest.fixture(params=["sqlite", "postgresql"])
def old_store(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """A store at schema version 2 holding one queued row, written with that version's DDL."""
    db: Database
    if request.param == "sqlite":
        db = SqliteDatabase(tmp_path / "reports" / "runs.db")
        _sqlite_schema_2(db.path)
        return db
    from assurance_harness.store.postgres import PostgresDatabase

    db = PostgresDatabase(request.getfixturevalue("pg_url"))
    _postgres_schema_2(db)
    return db


def _sqlite_schema_2(path: Path) -> None:
    assert SCHEMA_2_QUEUE in schema.BASE_SQLITE  # the DDL the old tool ran
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(schema.BASE_SQLITE + schema.MIGRATIONS[2]["sqlite"])
        for version in (1, 2):
            conn.execute(
                "INSERT INTO schema_version (version, applied_at, applied_by) "
                "VALUES (?, 'then', 'assurance-harness (schema 2)')",
                (version,),
            )
        conn.execute(OLD_ROW)


def _postgres_schema_2(db: Database) -> None:
    with db.transaction() as conn:
        ddl = schema.BASE_POSTGRES + schema.MIGRATIONS[2]["postgresql"]
        conn._conn.execute(ddl.encode())  # type: ignore[attr-defined]
        for version in (1, 2):
            conn.execute(
                "INSERT INTO schema_version (version, applied_at, applied_by) "
                "VALUES (?, 'then', 'assurance-harness (schema 2)')",
                (version,),
            )
        conn.execute("INSERT INTO store_meta (key, value) VALUES ('schema_version', '2')")
        conn.execute(OLD_ROW)


def test_a_schema_2_store_is_upgraded_and_its_rows_read_as_not_known(old_store: Database) -> None:
    store = ReviewStore(old_store)
    (old,) = store.queue("old-run")  # the first read upgrades
    assert old.response == "I hate this question and"
    assert old.finish_reason is None and old.incomplete == FINISH_NOT_KNOWN
    with old_store.transaction() as conn:
        assert schema.schema_version(conn, old_store.dialect) == schema.SCHEMA_VERSION == 3
    # New rows keep how their answer ended.
    stop = {**CUT, "case_id": "c3", "finish_reason": "stop"}
    bare = {**CUT, "case_id": "c4"}  # a target that reports no finish reason
    items = [CUT_ITEM, {**CUT_ITEM, "key": "c3#0"}, {**CUT_ITEM, "key": "c4#0"}]
    assert store.enqueue("new-run", items, [{**CUT, "finish_reason": "length"}, stop, bare]) == 3
    got = {i.row_key: i for i in store.queue("new-run")}
    assert got["c2#0"].finish_reason == "length"
    assert got["c2#0"].incomplete is not None and "cut off" in got["c2#0"].incomplete
    assert (got["c3#0"].finish_reason, got["c3#0"].incomplete) == ("stop", None)
    assert (got["c4#0"].finish_reason, got["c4#0"].incomplete) == ("", None)


def test_a_racing_upgrade_of_a_schema_2_runs_db_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes open one schema-2 runs.db at once: both read version 2, one adds the
    column, and the other, once it has the write lock, finds the column there. SQLite's
    ``ADD COLUMN`` has no ``IF NOT EXISTS``: the second failed with "duplicate column name"."""
    path = tmp_path / "runs.db"
    _sqlite_schema_2(path)
    SqliteDatabase(path).ensure_schema()  # the first process's upgrade
    real = schema.schema_version
    reads = iter([2])  # the second process read the version before the first committed
    monkeypatch.setattr(schema, "schema_version", lambda c, d: next(reads, None) or real(c, d))
    late = SqliteDatabase(path)
    late.ensure_schema()
    (old,) = ReviewStore(late).queue("old-run")
    assert old.finish_reason is None


def test_the_queue_listings_say_an_old_rows_finish_is_not_known(tmp_path: Path) -> None:
    """``review queue`` (table and JSON) of a row queued before the column: "not known", not
    a bare snippet that reads as a whole answer, nor ``incomplete: false``."""
    reports = tmp_path / "reports"
    _sqlite_schema_2(reports / "runs.db")
    table = invoke_in_process(["review", "queue", "--run", "old-run", "--reports", str(reports)])
    assert table.exit_code == 0, table.output
    assert " ".join(table.output.split()).count(FINISH_NOT_KNOWN) == 1, table.output
    listed = invoke_in_process(
        ["review", "queue", "--run", "old-run", "--json", "--reports", str(reports)]
    )
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.output)
    assert (row["finish_reason"], row["incomplete"]) == (None, None)


def test_the_web_app_says_an_old_rows_finish_is_not_known(tmp_path: Path) -> None:
    """The queue page and the row's page, where the run's folder is not there to read the
    finish reason from: the item page said nothing, which reads as a whole answer."""
    from assurance_harness.ui.app import Settings

    reports = tmp_path / "reports"
    _sqlite_schema_2(reports / "runs.db")
    settings = Settings(reports, tmp_path / "register.yaml", reports / "evidence" / "ledger.jsonl")
    with serving(settings) as base:
        queue = get_page(f"{base}/review?run=old-run&show=all")
        item = get_page(f"{base}/review/old-run/{urllib.parse.quote('c1#0')}")
    assert html.unescape(queue).count(FINISH_NOT_KNOWN) == 1, queue
    assert html.unescape(item).count(FINISH_NOT_KNOWN) == 1, item


def test_store_migrate_carries_the_finish_reason(pg_url: str, tmp_path: Path) -> None:
    """A runs.db of schema 2 (an old row) with a cut-off answer queued since, migrated into a
    team store also left at schema 2: both are upgraded, the new row arrives cut off, the old
    one not known; a second migrate finds the same rows."""
    from assurance_harness.store.postgres import PostgresDatabase

    reports = tmp_path / "reports"
    _sqlite_schema_2(reports / "runs.db")
    ReviewStore(reports / "runs.db").enqueue(
        "new-run", [CUT_ITEM], [{**CUT, "finish_reason": "length"}]
    )
    team = PostgresDatabase(pg_url)
    with team.transaction() as conn:
        ddl = schema.BASE_POSTGRES + schema.MIGRATIONS[2]["postgresql"]
        conn._conn.execute(ddl.encode())  # type: ignore[attr-defined]
        conn.execute(
            "INSERT INTO schema_version (version, applied_at, applied_by) VALUES (2, 'x', 'y')"
        )
    for _ in range(2):
        moved = invoke_in_process(["store", "migrate", "--to", pg_url, "--reports", str(reports)])
        assert moved.exit_code == 0, moved.output
    there = ReviewStore(team)
    assert [i.finish_reason for i in there.queue("new-run")] == ["length"]
    assert [i.finish_reason for i in there.queue("old-run")] == [None]


def test_the_team_store_check_expects_the_column() -> None:
    """A team store whose ``finish_reason`` column was dropped by hand is refused as altered
    (``schema.refuse_altered``): the column is added by a migration, not the base DDL."""
    assert schema.expected_columns()["review_queue"]["finish_reason"] == "text"
