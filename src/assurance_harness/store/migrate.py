"""Copy the embedded store's tables (``reports/runs.db``) into a team store, safely twice.

Rows already in the target are left alone when they are the same; the append-only history
(review verdicts, the review queue, baseline changes) must match row for row where keys meet, or
nothing is written. Runs, baselines and reviewers already in the target keep the target's
values (it is the shared history). Surrogate ids are kept, so a verdict still names the one it
supersedes; the target's id sequences move past them. Rows are compared and written as the
target keeps them: PostgreSQL holds a NUL of a model's text or a note as ``␀``, and a NUL in
any other text (a name, a key) is refused naming its row (``store.nultext``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .database import Database, SqliteDatabase
from .nultext import kept_row, nul_column
from .postgres import StoreError

TABLES: dict[str, tuple[tuple[str, ...], bool]] = {
    # table: (key columns, append-only history that must match where keys meet)
    "runs": (("run_id",), False),
    "baselines": (("suite", "target_name"), False),
    "baseline_history": (("id",), True),
    "review_queue": (("run_id", "row_key"), True),
    "review_verdicts": (("id",), True),
    "reviewers": (("name",), False),
}
IDENTITY = ("baseline_history", "review_verdicts")


@dataclass
class TableCopy:
    copied: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    """Rows already in the target (identical, or the target's kept)."""


def _key(row: dict[str, Any], columns: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(row[c] for c in columns)


def copy_tables(source: SqliteDatabase, target: Database) -> TableCopy:
    """Copy every store table of ``source`` into ``target`` (StoreError on a conflict)."""
    result = TableCopy()
    if not source.exists():
        return result
    source.ensure_schema()
    target.ensure_schema()
    with source.reading() as conn:
        # As the target keeps them: the team store holds a NUL of a prompt, a response or a
        # model version as ␀ (``store.nultext``), so a row copied before compares equal.
        rows = {
            table: [
                kept_row(table, row, target.dialect)
                for row in conn.execute(f"SELECT * FROM {table}").fetchall()
            ]
            for table in TABLES
        }
    if target.dialect == "postgresql":
        _refuse_nul(source, rows)
    with target.transaction() as conn:
        conn.lock("store-migrate")
        pending: dict[str, list[dict[str, Any]]] = {}
        for table, (keys, strict) in TABLES.items():
            existing = {_key(r, keys): r for r in conn.execute(f"SELECT * FROM {table}").fetchall()}
            pending[table] = []
            for row in rows[table]:
                there = existing.get(_key(row, keys))
                if there is None:
                    pending[table].append(row)
                    continue
                if strict and any(there.get(c) != v for c, v in row.items()):
                    raise StoreError(
                        f"{target.where}: {table} already holds a different row for "
                        f"{dict(zip(keys, _key(row, keys), strict=True))}; nothing was copied. "
                        "Migrate into an empty database, or one that holds this store's history"
                    )
            result.present[table] = len(rows[table]) - len(pending[table])
        for table, new in pending.items():
            for row in new:
                columns = ", ".join(f'"{c}"' for c in row)
                marks = ", ".join("?" for _ in row)
                conn.execute(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values())
                )
            result.copied[table] = len(new)
        if target.dialect == "postgresql":
            for table in IDENTITY:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                    f"FROM {table} HAVING max(id) IS NOT NULL"
                )
    return result


def _refuse_nul(source: SqliteDatabase, rows: dict[str, list[dict[str, Any]]]) -> None:
    """A StoreError naming the first row whose text PostgreSQL cannot hold, before anything is
    written: a name or key holding NUL (written by an older tool; this one refuses a control
    character there) would otherwise stop the copy with PostgreSQL's own message, naming
    neither the row nor the fix."""
    for table, (keys, _) in TABLES.items():
        for row in rows[table]:
            column = nul_column(table, row)
            if column is not None:
                where = dict(zip(keys, _key(row, keys), strict=True))
                raise StoreError(
                    f"{source.where}: {table} row {where} holds a NUL (U+0000) in {column}, "
                    "which the team store cannot keep (PostgreSQL text) and does not stand in "
                    "for (a name or key would become another); nothing was copied. Correct "
                    "that row there (an older tool wrote it), then migrate again"
                )
