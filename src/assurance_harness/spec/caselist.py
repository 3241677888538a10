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

import gc
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, overload

from ..datatypes import Case, Expectations, chat_of
from ..store.spill import SpillArray, SpillFile, TempFile

T = TypeVar("T")

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

_FIELDS = ("id", "prompt", "messages", "expected", "metadata")
"""``Case``'s fields in their order (a validated case's ``__dict__`` order)."""
_FIELDS_SETS = tuple(
    frozenset(name for bit, name in enumerate(_FIELDS) if mask >> bit & 1) for mask in range(32)
)
"""Each combination of set fields, by bit mask (bit i: ``_FIELDS[i]``)."""


def _default_expectations() -> dict[str, Any]:
    """``Expectations()``'s fields, in order, with new lists: what most cases hold (a literal is
    about twice as fast to make as a copy that replaces the lists)."""
    return {
        "must_refuse": None,
        "must_not_refuse": None,
        "must_redirect_to_help": None,
        "must_not_mention": [],
        "must_contain": [],
        "answer": None,
    }


_NO_EXPECTATIONS = _default_expectations()


def _dumps(case: Case) -> bytes:
    """A case pickled as its field values, its set fields (a bit mask) and its expectations'
    state (None when it is the default, as in most cases), not as two models: decoding skips
    pickle's object reconstruction, two ``__setstate__`` calls and every field name (about 40%
    of a decode, which a large run makes twice a case; the requests read the values alone,
    ``request_parts``). Anything else (a subclass, private attributes, fields in another
    order) is pickled as it is."""
    expected = case.expected
    fields = case.__dict__
    if (
        type(case) is not Case
        or type(expected) is not Expectations
        or case.__pydantic_extra__ is not None
        or case.__pydantic_private__ is not None
        or expected.__pydantic_private__ is not None
        or tuple(fields) != _FIELDS
    ):
        return pickle.dumps(case, protocol=pickle.HIGHEST_PROTOCOL)
    mask = 0
    for bit, name in enumerate(_FIELDS):
        if name in case.__pydantic_fields_set__:
            mask |= 1 << bit
    inner = expected.__dict__
    default = (
        expected.__pydantic_extra__ == {}
        and not expected.__pydantic_fields_set__
        and inner == _NO_EXPECTATIONS
        and tuple(inner) == tuple(_NO_EXPECTATIONS)
    )
    return pickle.dumps(
        (
            fields["id"],
            fields["prompt"],
            fields["messages"],
            fields["metadata"],
            mask,
            None
            if default
            else (
                inner,
                expected.__pydantic_extra__,
                expected.__pydantic_fields_set__,
            ),
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def _loads(data: bytes) -> Case:
    """A case from ``_dumps``: its models made as pydantic's ``__setstate__`` makes them."""
    stored = pickle.loads(data)
    if type(stored) is not tuple:
        return stored  # type: ignore[no-any-return]
    id_, prompt, messages, metadata, mask, state = stored
    expected = _new(Expectations)
    if state is None:
        _set(expected, "__pydantic_fields_set__", set())
        _set(expected, "__pydantic_extra__", {})
        e_fields = _default_expectations()
    else:
        e_fields, e_extra, e_fields_set = state
        _set(expected, "__pydantic_fields_set__", e_fields_set)
        _set(expected, "__pydantic_extra__", e_extra)
    _set(expected, "__pydantic_private__", None)
    _set(expected, "__dict__", e_fields)
    case = _new(Case)
    _set(case, "__pydantic_fields_set__", set(_FIELDS_SETS[mask]))
    _set(case, "__pydantic_extra__", None)
    _set(case, "__pydantic_private__", None)
    _set(
        case,
        "__dict__",
        {
            "id": id_,
            "prompt": prompt,
            "messages": messages,
            "expected": expected,
            "metadata": metadata,
        },
    )
    return case  # type: ignore[no-any-return]


def _inputs(data: bytes) -> CaseInputs:
    """A stored case's id, conversation and metadata, without making the case (the values as
    ``_loads`` would give them)."""
    stored = pickle.loads(data)
    if type(stored) is not tuple:
        return stored.id, stored.chat(), stored.metadata
    return stored[0], chat_of(stored[1], stored[2]), stored[3]


CaseInputs = tuple[str, list[dict[str, str]], dict[str, Any]]
"""What a request is made of: a case's id, its conversation (``Case.chat()``) and metadata."""


def case_inputs(cases: Sequence[Case]) -> Iterator[CaseInputs]:
    """Each case's id, conversation and metadata, in order; a list on disk gives them without
    making its cases (the request plan's pass over a large dataset)."""
    if isinstance(cases, CaseList):
        yield from cases.inputs()
        return
    for case in cases:
        yield case.id, case.chat(), case.metadata


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
        import numpy as np  # a selection (a resumed run's rest), not a new run's plain list

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

    def _read(self, first: int, stop: int, decode: Callable[[bytes], T]) -> list[T]:
        self.flush()
        starts = self._starts.read_list(first, stop)
        ends = self._ends.read_list(first, stop)
        start, end = starts[0], ends[-1]
        if starts[1:] == ends[:-1]:
            data = self._file.read(end - start, start)  # contiguous: one read
            parts = [data[a - start : b - start] for a, b in zip(starts, ends, strict=True)]
        else:
            parts = [self._file.read(b - a, a) for a, b in zip(starts, ends, strict=True)]
        # A block's cases are made with the cyclic collector paused: a block's worth of plain
        # data makes no garbage cycles, and the collections its ~10 containers a case would
        # set off, each walking the run's live rows, cost about a fifth of the decoding.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return [decode(part) for part in parts]
        finally:
            if enabled:
                gc.enable()

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
            cases = self._read(block * BLOCK, min(len(self), (block + 1) * BLOCK), _loads)
            self._block = (block, cases)
        return cases[index - block * BLOCK]

    def between(self, first: int, stop: int) -> list[Case]:
        """The cases at positions ``first`` to ``stop`` (within the list), decoded in one read:
        a run's rows take their cases a chunk at a time (``runner.rowstream``), and one
        ``__getitem__`` a case cost about 1 us of a row's 40."""
        if not 0 <= first <= stop <= len(self):
            raise IndexError((first, stop))
        return self._read(first, stop, _loads) if first < stop else []

    def __iter__(self) -> Iterator[Case]:
        for first in range(0, len(self), BLOCK):
            yield from self._read(first, min(len(self), first + BLOCK), _loads)

    def inputs(self) -> Iterator[CaseInputs]:
        """Each case's id, conversation and metadata (``case_inputs``), a block at a time."""
        for first in range(0, len(self), BLOCK):
            yield from self._read(first, min(len(self), first + BLOCK), _inputs)

    def json_lines(self) -> Iterator[bytes]:
        """The cases' lines of ``cases.jsonl`` (``model_dump_json(exclude_none=True)``, each
        with its newline, UTF-8), a block of cases at a time."""
        self.flush()
        for first in range(0, len(self), BLOCK):
            stop = min(len(self), first + BLOCK)
            starts = self._line_starts.read_list(first, stop)
            ends = self._line_ends.read_list(first, stop)
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
