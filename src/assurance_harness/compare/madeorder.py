"""The order runs were made in, where their start times tie: one home for it.

A run's ``started_at`` is to the second, and its id ends in a random hex suffix, so for two runs
begun in one second the id says nothing about which came later: ordered by it, ``baseline
check`` passed over a damaged run made after the finished one (and compared the finished one,
which could pass) whenever the damaged run's suffix sorted first, one time in two. What does
say it is written by the tool as each run finishes: its place in the reports' evidence ledger
(a record's ``seq``, the order of appending: what the register reads, ``recency``) and its
row's place in the run index (SQLite's ``rowid``: ``RunIndex.insertion_order``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..workspace import Workspace


@dataclass(frozen=True)
class MadeOrder:
    """Where each run stands in the ledger's order and in the run index's (run id -> place);
    a run that is in neither (not indexed yet: unfinished, or a folder found only by a scan;
    or any run of a team store, whose index keeps no such order) has no place."""

    ledger: dict[str, int]
    index: dict[str, int]

    @classmethod
    def of(cls, reports_dir: Path | str) -> MadeOrder:
        """The places the reports directory's ledger and run index hold (none without them);
        an index that cannot be read is a StoreError, as every reader of it raises."""
        from ..register.ledger_hashes import ledger_positions
        from ..store.index import open_index
        from .runs import index_path

        index = open_index(index_path(reports_dir))
        return cls(
            ledger=ledger_positions(Workspace.at(reports_dir).ledger),
            index={} if index is None else index.insertion_order(),
        )

    def ledger_place(self, run_id: str) -> int:
        """The run's place in the ledger (its last record's ``seq``); -1 where it has none,
        as ``register.evidence_record.recency`` takes it."""
        return self.ledger.get(run_id, -1)

    def index_place(self, run_id: str) -> int:
        """The run's row's place in the run index; -1 where it has none."""
        return self.index.get(run_id, -1)

    def after(self, run: tuple[str, str], other: tuple[str, str]) -> bool | None:
        """Whether ``run`` (its start, its id) was made after ``other``: by start; within one
        second by the ledger's order where both have a place there (as the register takes the
        latest), else by the run index's; never by the ids. None where neither tells (one of the
        two has no place in either): a caller then decides as is safe for it (``baseline
        check`` takes an unreadable run of the latest second as the night's: a pass over a
        night nobody could read is the error to avoid)."""
        if run[0] != other[0]:
            return run[0] > other[0]
        if run[1] == other[1]:
            return False
        for places in (self.ledger, self.index):
            if run[1] in places and other[1] in places:
                return places[run[1]] > places[other[1]]
        return None
