"""A fresh run's journal index, noted as the journal is written, so scoring does not read the
whole journal once more (and look up every case id) to find where each response lies.

Each request is noted with its position as the executor takes it from the plan; its record,
when it is journalled, gives the line's offset. The index equals ``index_journal``'s of the
finished journal (tests/runner/test_journal_notes.py). Anything the notes cannot follow (a
request taken by index or slice, a record of a request not taken, more requests taken than
answered) makes them give up: the run reads its journal as before (``runner.run``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from ..datatypes import GenerationRequest, ResponseRecord
from ..store.journalindex import JournalIndex
from ..store.rundir import RunDir
from ..store.spill import BLOCK

MAX_IN_FLIGHT = 65_536
"""Requests taken and not yet answered that the notes hold (by key) before giving up: an
executor that takes the whole plan before answering (about 150 bytes a request) is read back
from its journal instead."""


class JournalNotes:
    """Where each response of a fresh run lands in its journal (``index``), or None after
    giving up."""

    def __init__(self, run_dir: RunDir, plan: Sequence[GenerationRequest]) -> None:
        self.run_dir = run_dir
        self.plan = plan
        self.index: JournalIndex | None = JournalIndex(
            run_dir.responses, None, len(plan), folder=run_dir.path
        )
        self._taken: dict[tuple[str, int], int] = {}
        self._where: list[int] = []
        self._starts: list[int] = []
        self._errors: list[bool] = []

    def requests(self) -> Sequence[GenerationRequest]:
        """The plan, each request noted with its position as it is taken."""
        return _Noted(self)

    def take(self, key: tuple[str, int], position: int) -> None:
        if self.index is None:
            return
        if key in self._taken or len(self._taken) >= MAX_IN_FLIGHT:
            self.give_up()
            return
        self._taken[key] = position

    def on_record(self, record: ResponseRecord) -> None:
        """Journal the record (``RunDir.append_response``), noting where it went."""
        start = self.run_dir.journal_end
        self.run_dir.append_response(record)
        if self.index is None:
            return
        position = self._taken.pop(record.key, None)
        if position is None:
            self.give_up()
            return
        self._where.append(position)
        self._starts.append(start)
        self._errors.append(record.error is not None)
        if len(self._where) >= BLOCK:
            self._place()

    def _place(self) -> None:
        import numpy as np  # by now loaded on the prefetch thread, while the requests were out

        assert self.index is not None
        self.index.place(np.array(self._where, dtype=np.int64), self._starts, self._errors)
        self._where, self._starts, self._errors = [], [], []

    def give_up(self) -> None:
        if self.index is not None:
            self.index.close()
        self.index = None
        self._taken.clear()
        self._where, self._starts, self._errors = [], [], []

    def finish(self) -> JournalIndex | None:
        """The index once sending is over (None: read the journal instead); the caller closes
        it."""
        if self.index is not None and self._taken:
            self.give_up()  # taken, not answered: only the journal says what happened
        if self.index is None:
            return None
        self._place()
        index, self.index = self.index, None
        return index


class _Noted(Sequence[GenerationRequest]):
    """A plan whose iteration notes each request's position (see ``JournalNotes``)."""

    def __init__(self, notes: JournalNotes) -> None:
        self.notes = notes

    def __len__(self) -> int:
        return len(self.notes.plan)

    def __iter__(self) -> Iterator[GenerationRequest]:
        notes = self.notes
        for position, request in enumerate(notes.plan):
            notes.take((request.case_id, request.sample), position)
            yield request

    @overload
    def __getitem__(self, index: int) -> GenerationRequest: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[GenerationRequest]: ...
    def __getitem__(self, index: int | slice) -> GenerationRequest | Sequence[GenerationRequest]:
        self.notes.give_up()  # taken by index: not followed
        return self.notes.plan[index]
