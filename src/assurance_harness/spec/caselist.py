"""A dataset's cases kept on disk, so a suite of a million cases does not hold a million
``Case`` objects (about 1.7 kB each) while it is validated, sent and scored.

Each case is pickled into an anonymous temporary file as it is read; its offsets go to
temporary files too (``store.spill``), so memory holds one block of decoded cases whatever
the size. Pickle, not JSON, so a case comes back exactly
as it was made (its set fields, every metadata value). Reading is by position, in blocks: a
run goes through its cases in order (requests, then rows chunk by chunk). Each case's line of
a run's ``cases.jsonl`` is kept too (another temporary file), made as the case is appended: a
run writes that file from them (``json_lines``) instead of decoding every case to write it.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

import numpy as np

from ..datatypes import Case, Expectations
from ..store.spill import SpillArray, SpillFile, TempFile

BLOCK = 1024
"""Cases decoded at a time (about 2 MB)."""

PENDING = 1 << 20
"""Bytes of appended cases held before they are written."""

IN_MEMORY = 5000
"""Cases a dataset keeps as objects before it moves them to disk (about 8.5 MB): a run reads its
cases eight times (checks, the cases file, requests, rows), and decoding a small dataset that
often costs more time (about 0.1 s at 2,000 cases) than holding it costs memory."""


def collect(cases: Iterable[Case], *, in_memory: int = IN_MEMORY) -> Sequence[Case]:
    """A dataset's cases: a plain list while there are at most ``in_memory`` of them, else a
    :class:`CaseList` on disk (the cases read so far move there, the rest follow)."""
    held: list[Case] = []
    rest = iter(cases)
    for case in rest:
        held.append(case)
        if len(held) > in_memory:
            stored = CaseList.build(held)
            held.clear()
            for more in rest:
                stored.append(more)
            stored.flush()
            return stored
    return held


_new = object.__new__
_set = object.__setattr__


def _dumps(case: Case) -> bytes:
    """A case pickled as its state and its expectations' state (pydantic's own ``__getstate__``:
    fields, extras, fields set, private attributes), not as two models: decoding then skips
    pickle's object reconstruction and two ``__setstate__`` calls (about 40% of a decode, which
    a large run makes three times a case). A subclass is pickled as it is."""
    expected = case.expected
    if type(case) is not Case or type(expected) is not Expectations:
        return pickle.dumps(case, protocol=pickle.HIGHEST_PROTOCOL)
    state, inner = case.__getstate__(), expected.__getstate__()
    fields = dict(state["__dict__"])
    fields["expected"] = None  # its place kept: a model's fields dump in their dict's order
    return pickle.dumps(
        (
            fields,
            state["__pydantic_extra__"],
            state["__pydantic_fields_set__"],
            state["__pydantic_private__"],
            inner["__dict__"],
            inner["__pydantic_extra__"],
            inner["__pydantic_fields_set__"],
            inner["__pydantic_private__"],
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def _loads(data: bytes) -> Case:
    """A case from ``_dumps``: its models made as pydantic's ``__setstate__`` makes them."""
    stored = pickle.loads(data)
    if type(stored) is not tuple:
        return stored  # type: ignore[no-any-return]
    fields, extra, fields_set, private, e_fields, e_extra, e_fields_set, e_private = stored
    expected = _new(Expectations)
    _set(expected, "__pydantic_fields_set__", e_fields_set)
    _set(expected, "__pydantic_extra__", e_extra)
    _set(expected, "__pydantic_private__", e_private)
    _set(expected, "__dict__", e_fields)
    fields["expected"] = expected
    case = _new(Case)
    _set(case, "__pydantic_fields_set__", fields_set)
    _set(case, "__pydantic_extra__", extra)
    _set(case, "__pydantic_private__", private)
    _set(case, "__dict__", fields)
    return case  # type: ignore[no-any-return]


class CaseList(Sequence[Case]):
    """Cases in a temporary file, by position; slices and selections share the file."""

    def __init__(self, file: TempFile | None = None, lines: TempFile | None = None) -> None:
        # Live as long as the list (and its slices): closed and deleted with them.
        self._file = file if file is not None else TempFile()
        self._lines = lines if lines is not None else TempFile()
        offsets = SpillFile()
        self._starts = SpillArray("q", shared=offsets)
        self._ends = SpillArray("q", shared=offsets)
        self._line_starts = SpillArray("q", shared=offsets)
        self._line_ends = SpillArray("q", shared=offsets)
        self._size = 0
        self._lines_size = 0
        self._block: tuple[int, list[Case]] = (-1, [])
        # What append() made and has not written yet (one write a megabyte, not two a case).
        self._pending = bytearray()
        self._pending_lines = bytearray()

    @classmethod
    def build(cls, cases: Iterable[Case]) -> CaseList:
        out = cls()
        for case in cases:
            out.append(case)
        out.flush()
        return out

    def append(self, case: Case) -> None:
        data = _dumps(case)
        self._pending += data
        self._starts.append(self._size)
        self._size += len(data)
        self._ends.append(self._size)
        line = (case.model_dump_json(exclude_none=True) + "\n").encode("utf-8")
        self._pending_lines += line
        self._line_starts.append(self._lines_size)
        self._lines_size += len(line)
        self._line_ends.append(self._lines_size)
        self._block = (-1, [])
        if len(self._pending) >= PENDING:
            self.flush()

    def flush(self) -> None:
        """Write what ``append`` made (done before anything reads the files; ``build`` and
        ``collect`` do it last, so a full disk is found while the cases are read)."""
        if self._pending:
            self._file.write(bytes(self._pending), self._size - len(self._pending))
            self._pending.clear()
        if self._pending_lines:
            self._lines.write(
                bytes(self._pending_lines), self._lines_size - len(self._pending_lines)
            )
            self._pending_lines.clear()

    def select(self, positions: Iterable[int]) -> CaseList:
        """The cases at these positions, in this order (sharing the file)."""
        self.flush()
        out = CaseList(self._file, self._lines)
        out._size = self._size
        out._lines_size = self._lines_size
        wanted: list[int] = []
        for i in positions:
            wanted.append(i)
            if len(wanted) >= BLOCK:
                out._take(self, wanted)
        out._take(self, wanted)
        return out

    def _take(self, source: CaseList, positions: list[int]) -> None:
        """Append the offsets of ``source``'s cases at ``positions`` (then emptied)."""
        if not positions:
            return
        at = np.array(positions, dtype=np.int64)
        low, high = int(at.min()), int(at.max()) + 1
        columns = (
            (self._starts, source._starts),
            (self._ends, source._ends),
            (self._line_starts, source._line_starts),
            (self._line_ends, source._line_ends),
        )
        if high - low <= 16 * len(positions):  # nearby cases: one read of their offsets
            for mine, theirs in columns:
                mine.extend(theirs.read(low, high)[at - low])
        else:
            for i in positions:
                for mine, theirs in columns:
                    mine.extend(theirs.read(i, i + 1))
        positions.clear()

    def __len__(self) -> int:
        return len(self._starts)

    def _read(self, first: int, stop: int) -> list[Case]:
        self.flush()
        starts = self._starts.read(first, stop).tolist()
        ends = self._ends.read(first, stop).tolist()
        start, end = starts[0], ends[-1]
        if starts[1:] == ends[:-1]:
            data = self._file.read(end - start, start)  # contiguous: one read
            return [_loads(data[a - start : b - start]) for a, b in zip(starts, ends, strict=True)]
        return [_loads(self._file.read(b - a, a)) for a, b in zip(starts, ends, strict=True)]

    @overload
    def __getitem__(self, index: int) -> Case: ...
    @overload
    def __getitem__(self, index: slice) -> CaseList: ...
    def __getitem__(self, index: int | slice) -> Case | CaseList:
        if isinstance(index, slice):
            return self.select(range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        block, cases = self._block
        if block != index // BLOCK:
            block = index // BLOCK
            cases = self._read(block * BLOCK, min(len(self), (block + 1) * BLOCK))
            self._block = (block, cases)
        return cases[index - block * BLOCK]

    def __iter__(self) -> Iterator[Case]:
        for first in range(0, len(self), BLOCK):
            yield from self._read(first, min(len(self), first + BLOCK))

    def json_lines(self) -> Iterator[bytes]:
        """The cases' lines of ``cases.jsonl`` (``model_dump_json(exclude_none=True)``, each
        with its newline, UTF-8), a block of cases at a time."""
        self.flush()
        for first in range(0, len(self), BLOCK):
            stop = min(len(self), first + BLOCK)
            starts = self._line_starts.read(first, stop).tolist()
            ends = self._line_ends.read(first, stop).tolist()
            if starts[1:] == ends[:-1]:  # contiguous: one read
                yield self._lines.read(ends[-1] - starts[0], starts[0])
            else:
                yield b"".join(
                    self._lines.read(b - a, a) for a, b in zip(starts, ends, strict=True)
                )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (to another process: Ray) as a plain list of its cases."""
        return (list, (list(self),))

    def __repr__(self) -> str:
        return f"CaseList({len(self)} cases on disk)"
