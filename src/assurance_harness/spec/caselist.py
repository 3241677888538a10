"""A dataset's cases kept on disk, so a suite of a million cases does not hold a million
``Case`` objects (about 1.7 kB each) while it is validated, sent and scored.

Each case is pickled into an anonymous temporary file as it is read; memory holds 16 bytes of
offsets per case and one block of decoded cases. Pickle, not JSON, so a case comes back exactly
as it was made (its set fields, every metadata value). Reading is by position, in blocks: a
run goes through its cases in order (requests, then rows chunk by chunk).
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, overload

from ..datatypes import Case

BLOCK = 1024
"""Cases decoded at a time (about 2 MB)."""

_POSITIONAL = hasattr(os, "pread") and hasattr(os, "pwrite")
"""``os.pread``/``os.pwrite`` exist on Linux and macOS, not on Windows: there the file is read
and written by seeking, under a lock (slices share one file object)."""


class _CaseFile:
    """Positioned reads and writes on one temporary file, whichever the platform offers."""

    def __init__(self, file: IO[bytes], positional: bool = _POSITIONAL) -> None:
        self.file = file
        self._positional = positional
        self._lock = threading.Lock()

    def write(self, data: bytes, offset: int) -> None:
        if self._positional:
            os.pwrite(self.file.fileno(), data, offset)
            return
        with self._lock:
            self.file.seek(offset)
            self.file.write(data)
            self.file.flush()

    def read(self, size: int, offset: int) -> bytes:
        if self._positional:
            return os.pread(self.file.fileno(), size, offset)
        with self._lock:
            self.file.seek(offset)
            return self.file.read(size)


class CaseList(Sequence[Case]):
    """Cases in a temporary file, by position; slices and selections share the file."""

    def __init__(self, file: _CaseFile | None = None) -> None:
        # Lives as long as the list (and its slices): closed and deleted with them.
        self._file = file if file is not None else _CaseFile(tempfile.TemporaryFile())  # noqa: SIM115
        self._starts = array("q")
        self._ends = array("q")
        self._size = 0
        self._block: tuple[int, list[Case]] = (-1, [])

    @classmethod
    def build(cls, cases: Iterable[Case]) -> CaseList:
        out = cls()
        for case in cases:
            out.append(case)
        return out

    def append(self, case: Case) -> None:
        data = pickle.dumps(case, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.write(data, self._size)
        self._starts.append(self._size)
        self._size += len(data)
        self._ends.append(self._size)
        self._block = (-1, [])

    def select(self, positions: Iterable[int]) -> CaseList:
        """The cases at these positions, in this order (sharing the file)."""
        out = CaseList(self._file)
        out._size = self._size
        for i in positions:
            out._starts.append(self._starts[i])
            out._ends.append(self._ends[i])
        return out

    def __len__(self) -> int:
        return len(self._starts)

    def _read(self, first: int, stop: int) -> list[Case]:
        start, end = self._starts[first], self._ends[stop - 1]
        if all(self._ends[i] == self._starts[i + 1] for i in range(first, stop - 1)):
            data = self._file.read(end - start, start)  # contiguous: one read
            return [
                pickle.loads(data[self._starts[i] - start : self._ends[i] - start])
                for i in range(first, stop)
            ]
        return [
            pickle.loads(self._file.read(self._ends[i] - self._starts[i], self._starts[i]))
            for i in range(first, stop)
        ]

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
