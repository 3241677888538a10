"""A team store whose tables were altered by hand (a column dropped by someone with the owner's
rights): every command that uses it is refused in one line naming the store, the table, the
column and the fix, exit 2, before a run sends anything; never an internal error, nor a run
that sends every request and then fails to index them.

Real subprocesses against the throwaway cluster of ``tests/testing/postgres.py``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from assurance_harness.store.postgres import PostgresDatabase

from ..runner.test_team_store_kill import _project
from ..testing.cli import run_cli
from ..testing.postgres import PgCluster
from ..testing.project import SENT, SUITE, callable_target, echo_project

pytestmark = pytest.mark.slow


def _refused(done: subprocess.CompletedProcess[str], cluster: PgCluster, url: str) -> str:
    """Exit 2, no traceback nor password, one error line naming the store; that line."""
    text = done.stdout + done.stderr
    assert done.returncode == 2, text
    assert "Traceback" not in text and "internal error" not in text, text
    assert cluster.password not in text, text
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, text
    assert PostgresDatabase(url).where in errors[0], errors[0]
    return errors[0]


def test_a_column_dropped_from_the_team_store_is_refused_naming_it(
    postgres_cluster: PgCluster, pg_url: str, tmp_path: Path
) -> None:
    """``ALTER TABLE runs DROP COLUMN status``: ``runs list`` was an internal error
    (``KeyError: 'status'``, exit 3, a crash file), and a run sent every request before
    failing to index them with PostgreSQL's words and no fix."""
    echo_project(tmp_path, suite="altered")
    first = run_cli("run", "s.yaml", "--target", "t.yaml", "--store", pg_url, cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    with PostgresDatabase(pg_url).transaction() as conn:
        conn.execute("ALTER TABLE runs DROP COLUMN status")

    listed = run_cli("--store", pg_url, "runs", "list", cwd=tmp_path)
    line = _refused(listed, postgres_cluster, pg_url)
    assert "runs.status" in line and "schema version" in line, line

    callable_target(tmp_path, "altered_sent", SENT, target="sent.yaml")
    (tmp_path / "s2.yaml").write_text(SUITE.format(name="altered2"), encoding="utf-8")
    run = run_cli("run", "s2.yaml", "--target", "sent.yaml", "--store", pg_url, cwd=tmp_path)
    assert "runs.status" in _refused(run, postgres_cluster, pg_url)
    assert not (tmp_path / "SENT").exists()  # refused before anything was sent


@pytest.mark.parametrize(
    ("alter", "named"),
    [
        ("ALTER TABLE evidence_ledger DROP COLUMN run_id", "evidence_ledger.run_id"),
        ("ALTER TABLE evidence_ledger RENAME COLUMN line TO text", "evidence_ledger.line"),
        ("ALTER TABLE evidence_head DROP COLUMN line", "evidence_head.line"),
        ("ALTER TABLE evidence_ledger ALTER COLUMN pos TYPE TEXT", "evidence_ledger.pos"),
    ],
)
def test_an_altered_evidence_table_is_refused_naming_it(
    postgres_cluster: PgCluster, pg_url: str, tmp_path: Path, alter: str, named: str
) -> None:
    """The evidence tables are the team store's alone (SQLite has none), so the check, which
    read its tables from the SQLite DDL, passed over them: a dropped ``run_id`` sent every
    request and then failed to append the run's evidence with PostgreSQL's words and no fix, a
    ``pos`` retyped to text ordered record 10 before record 2."""
    _project(tmp_path)
    first = run_cli("run", "s.yaml", "--target", "t.yaml", "--store", pg_url, cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    with PostgresDatabase(pg_url).transaction() as conn:
        conn.execute(alter)

    verified = run_cli("--store", pg_url, "evidence", "verify", cwd=tmp_path)
    line = _refused(verified, postgres_cluster, pg_url)
    assert named in line and "schema version" in line, line

    run = run_cli("run", "s.yaml", "--target", "t.yaml", "--store", pg_url, cwd=tmp_path)
    assert named in _refused(run, postgres_cluster, pg_url)


def test_the_check_reads_every_table_and_type_a_fresh_store_has(pg_url: str) -> None:
    """The columns and types the check expects, parsed from the PostgreSQL DDL, are exactly
    what that DDL makes in a real server: a parser that dropped a table or misread a type
    would pass an altered store, or refuse every fresh one."""
    from assurance_harness.store.schema import expected_columns

    database = PostgresDatabase(pg_url)
    database.ensure_schema()
    with database.transaction() as conn:
        rows = conn.execute(
            "SELECT table_name AS t, column_name AS c, data_type AS d "
            "FROM information_schema.columns WHERE table_schema = current_schema()"
        ).fetchall()
    made: dict[str, dict[str, str]] = {}
    for row in rows:
        made.setdefault(row["t"], {})[row["c"]] = row["d"]
    assert made == expected_columns()
    assert {"evidence_ledger", "evidence_head", "store_meta"} <= set(made)


def test_the_engines_hold_the_same_tables_and_columns() -> None:
    """``store.index``, ``compare.baseline`` and ``review.store`` are written once for both
    engines, so every SQLite table is a team-store table with the same columns (the team store
    adds its own tables, and ``review_queue.rowid``, which SQLite has implicitly)."""
    import sqlite3

    from assurance_harness.store.schema import SQLITE_SCHEMA, expected_columns

    with sqlite3.connect(":memory:") as conn:
        conn.executescript(SQLITE_SCHEMA)
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        sqlite = {
            t: {r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')}
            for t in names
            if not t.startswith("sqlite_")
        }
    team = expected_columns()
    for table, columns in sqlite.items():
        assert set(team[table]) - {"rowid"} == columns, table
