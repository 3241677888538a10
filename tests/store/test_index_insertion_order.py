"""The run index's order of making (``RunIndex.insertion_order``), and the rule that reads it
(``compare.madeorder.MadeOrder.after``): what tells apart runs begun in one second, whose ids
end in random suffixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.compare.madeorder import MadeOrder
from assurance_harness.store.database import Database, SqliteDatabase
from assurance_harness.store.index import RunIndex

SECOND = "2026-11-30T03:15:00+00:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        return SqliteDatabase(tmp_path / "runs.db")
    from assurance_harness.store.postgres import PostgresDatabase

    return PostgresDatabase(request.getfixturevalue("pg_url"))


def _row(run_id: str, status: str = "passed") -> dict[str, object]:
    return {
        "run_id": run_id,
        "suite": "tox",
        "target_name": "demo",
        "status": status,
        "started_at": SECOND,
        "run_dir": f"reports/{run_id}",
    }


def test_rows_keep_the_order_they_were_first_written_in(database: Database) -> None:
    """A run indexed again (``--resume`` of a finished run) keeps its place: not made later."""
    index = RunIndex(database)
    for run_id in ("r-ffff", "r-0000", "r-8888"):
        index.upsert(_row(run_id))
    index.upsert(_row("r-ffff", status="gates_failed"))
    order = index.insertion_order()
    if database.dialect == "postgresql":
        assert order == {}  # the team store's table keeps no such order: unknown, never guessed
        return
    assert sorted(order, key=order.__getitem__) == ["r-ffff", "r-0000", "r-8888"]


def test_made_after_is_by_start_then_the_ledger_then_the_index_never_the_id() -> None:
    made = MadeOrder(ledger={"a-ffff": 7, "b-0000": 3}, index={"a-ffff": 1, "b-0000": 2, "c": 3})
    earlier = ("2026-11-30T03:14:59+00:00", "z-ffff")
    assert made.after((SECOND, "a-0000"), earlier) is True  # by start, whatever the ids
    assert made.after(earlier, (SECOND, "a-0000")) is False
    # One second: the ledger's order where both have a place there (as the register reads it)...
    assert made.after((SECOND, "a-ffff"), (SECOND, "b-0000")) is True
    # ... else the index's.
    assert made.after((SECOND, "c"), (SECOND, "a-ffff")) is True
    assert made.after((SECOND, "a-ffff"), (SECOND, "c")) is False
    # Neither holds both (a run not indexed yet): unknown, for the caller to take safely.
    assert made.after((SECOND, "unfinished-0000"), (SECOND, "c")) is None
    assert made.after((SECOND, "c"), (SECOND, "c")) is False


def test_runs_of_one_second_are_listed_newest_made_first(database: Database) -> None:
    """``runs list`` (and the web app's list) shows runs begun in one second in the order they
    were made, newest first, not by their ids' random suffixes; the team store, which keeps no
    such order, lists them by id (unknown there, and said so by ``insertion_order``)."""
    index = RunIndex(database)
    for run_id in ("r-ffff", "r-0000", "r-8888"):
        index.upsert(_row(run_id))
    index.upsert(_row("r-ffff", status="gates_failed"))  # indexed again: not made later
    listed = [row["run_id"] for row in index.list_runs()]
    if database.dialect == "postgresql":
        assert listed == ["r-ffff", "r-8888", "r-0000"]
        return
    assert listed == ["r-8888", "r-0000", "r-ffff"]
