"""A store URL naming a database that is another application's: refused in one line, with
nothing created there.

Was: the store's ten tables were created beside the application's own (``customers``), and
every command went on (exit 0): the team's history began in a database other machines, given
the intended URL, never read, each list looking complete. A database of the store's own, or a
schema of its own in a shared one (``search_path``), is used as before."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from assurance_harness.store.postgres import PostgresDatabase, StoreError

from ..testing.cli import one_line_refusal, run_cli


def _tables(url: str) -> set[str]:
    with PostgresDatabase(url).transaction() as conn:
        rows = conn.execute(
            "SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
    return {str(r["t"]) for r in rows}


def test_a_database_holding_another_applications_tables_is_refused_and_left_alone(
    pg_url: str, tmp_path: Path
) -> None:
    with PostgresDatabase(pg_url).transaction() as conn:
        conn.execute("CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT)")
    line = one_line_refusal(run_cli("--store", pg_url, "runs", "list", cwd=tmp_path))
    assert "customers" in line and "search_path" in line, line
    with pytest.raises(StoreError, match="not the store's"):
        PostgresDatabase(pg_url).ensure_schema()
    assert _tables(pg_url) == {"customers"}  # nothing made there


def test_a_schema_of_its_own_in_a_shared_database_is_used(pg_url: str) -> None:
    with PostgresDatabase(pg_url).transaction() as conn:
        conn.execute("CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT)")
        conn.execute("CREATE SCHEMA evaluation")
    own = f"{pg_url}&options={quote('-csearch_path=evaluation')}"
    PostgresDatabase(own).ensure_schema()
    assert "runs" in _tables(own) and _tables(pg_url) == {"customers"}
