"""The index of all runs (``reports/runs.db``, or the team store): listing, lookup, comparison."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .database import Database
from .faults import store_faults
from .location import follow_up, index_available, open_database
from .nultext import kept_row
from .postgres import StoreError
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
COUNTS = frozenset({"n_requests", "n_errors", "gates_passed", "gates_failed"})
"""The integer columns; every other one holds text. Any may be NULL (``runlog.IndexRow``)."""


_MAX_LIMIT = 2**63 - 1
"""The largest LIMIT SQLite and PostgreSQL accept (a signed 64-bit integer)."""


class RunIndex:
    """The ``runs`` table; every call is its own transaction (process-safe).

    Given the embedded ``runs.db`` path, it uses the team store instead when one is configured
    (``store.location``); given a ``Database``, that one.
    """

    def __init__(self, db: str | Path | Database) -> None:
        self.db = open_database(db)
        self.db.ensure_schema()

    def upsert(self, record: dict[str, Any] | IndexRow) -> None:
        """Insert or replace a run's row (``store.runlog.IndexRow``, or its mapping)."""
        if isinstance(record, IndexRow):
            record = record.model_dump()
        # The model version is the target's text: the team store keeps a NUL in it as ␀.
        record = kept_row("runs", record, self.db.dialect)
        values = [record.get(c) for c in COLUMNS]
        placeholders = ", ".join("?" for _ in COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
        with self.db.transaction() as conn:
            conn.execute(
                f"INSERT INTO runs ({', '.join(COLUMNS)}) VALUES ({placeholders}) "
                f"ON CONFLICT (run_id) DO UPDATE SET {updates}",
                values,
            )

    def get(self, run_id: str) -> dict[str, Any] | None:
        with store_faults(self.db), self.db.reading() as conn:
            row = conn.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return None if row is None else _checked(self.db, row)

    def run_ids(self) -> set[str]:
        """Every run id the index holds: what a listing adds run folders to
        (``store.runread.unindexed_runs``)."""
        with store_faults(self.db), self.db.reading() as conn:
            return {str(row["run_id"]) for row in conn.stream("SELECT run_id FROM runs")}

    def insertion_order(self) -> dict[str, int]:
        """Each run's place in the order its row was first written: SQLite's ``rowid``, which
        the upsert's ``DO UPDATE`` keeps (a run indexed again by ``--resume`` is not moved
        later), and which no clock or random id suffix sets: what tells apart runs begun in
        one second (``compare.madeorder.MadeOrder``). Empty in the team store, whose ``runs``
        table keeps no such order (a schema change, for another day): there the order of two
        runs of one second is unknown, and its readers say so rather than guess."""
        if self.db.dialect != "sqlite":
            return {}
        with store_faults(self.db), self.db.reading() as conn:
            return {
                str(row["run_id"]): int(row["made"])
                for row in conn.stream("SELECT run_id, rowid AS made FROM runs")
            }

    def list_runs(
        self,
        *,
        suite: str | None = None,
        target_fingerprint: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Newest first; runs without a start time last (SQLite sorts NULL lowest and
        PostgreSQL highest, so the order says it rather than leaving it to the engine). Runs
        begun in one second are listed newest made first where the store keeps the order of
        making (SQLite's ``rowid``, ``insertion_order``), else by id: a start time holds whole
        seconds, and the ids' random suffixes say nothing of which came later."""
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
        made = "rowid DESC, " if self.db.dialect == "sqlite" else ""
        query += f" ORDER BY started_at IS NULL, started_at DESC, {made}run_id DESC"
        if limit is not None:
            query += " LIMIT ?"
            # Both engines take 64-bit limits; a larger one (a huge --limit) means "all".
            args.append(min(limit, _MAX_LIMIT))
        with store_faults(self.db), self.db.reading() as conn:
            rows = conn.execute(query, args).fetchall()
        return [_checked(self.db, row) for row in rows]


def _checked(db: Database, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` as read, or a StoreError naming the store, the run and the column where a value
    has a type no writer stores: SQLite keeps whatever a hand edit or another tool put in a
    column, and every reader would otherwise fail on it in its own way."""
    for column in COLUMNS:
        value = row.get(column)
        expected = int if column in COUNTS else str
        if value is not None and type(value) is not expected:
            run_id = row.get("run_id")
            raise StoreError(
                f"{db.where}: run {run_id!r}: {column} holds {type(value).__name__} "
                f"{value!r:.60}, not {'a number' if expected is int else 'text'}; the row is "
                f"damaged: delete it (DELETE FROM runs WHERE run_id = {str(run_id)!r}); "
                f"'{follow_up(f'assurance run SUITE --target TARGET --resume {run_id}')}' "
                "indexes it again"
            )
    return row


def indexed_targets(db: Database) -> dict[str, str | None]:
    """The target fingerprint the index records for each run it holds (None where it records
    none): what a reader that cannot open a run's folder (deleted by hand) can still place."""
    with store_faults(db), db.reading() as conn:
        return {
            str(row["run_id"]): None if row["target_fingerprint"] is None
            else str(row["target_fingerprint"])
            for row in conn.stream("SELECT run_id, target_fingerprint FROM runs")
        }  # fmt: skip


def open_index(embedded: str | Path) -> RunIndex | None:
    """The run index to read (the team store when one is configured, else ``embedded``), or
    None where there is none yet. An index that exists but cannot be read raises StoreError:
    readers must never fall back to scanning run folders then, because a scan finds only this
    machine's folders and every answer would be silently different from the index's."""
    if not index_available(embedded):
        return None
    db = open_database(embedded)
    with store_faults(db):
        return RunIndex(db)


CLAIM_PREFIX = "run_id:"
"""``store_meta`` keys that hold a run id claimed in the team store (``claim_run_id``)."""


def claim_run_id(db: Database, run_id: str, when: str) -> bool:
    """Whether ``run_id`` is now this run's alone in ``db``: False where another run holds it.

    The runner draws an id again where its reports folder holds it already, which is enough on
    one machine; a team store is shared by machines that each have their own folder, and two
    CI jobs started in one second drew the same id once in 65,536 pairs: the second run's index
    row replaced the first's, and its evidence was skipped as already recorded. So the id is
    claimed in the team store too, as a ``store_meta`` row (``run_id:ID`` = when): a row
    inserted once, never updated, so the first of two writers wins and the other draws again,
    and neither the index (finished runs only) nor the schema changes. An id already indexed
    (by a tool from before claims) is taken as well. The embedded store needs no claim."""
    if db.dialect != "postgresql":
        return True
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone():
            return False
        inserted = conn.execute(
            "INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (CLAIM_PREFIX + run_id, when),
        )
    return inserted.rowcount == 1
