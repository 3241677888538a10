"""Arrays kept in a temporary file instead of memory, so what a run keeps for each case or row
(offsets, positions, metric values) does not make its memory grow with its size.

A ``SpillArray`` is a typed array whose items go to an anonymous temporary file a block at a
time; it is read back by range, into ordinary memory, never mapped: the pages of a mapped file
that a process touches count in its resident memory, so a memmap read from end to end would
grow the run's peak as the array did. ``SortedColumns`` sorts such arrays by a 64-bit key in
buckets of ``SORT_ROWS`` rows (an external sort) and finds keys with every ``FENCE``-th key
in memory.

The files are anonymous (``tempfile.TemporaryFile``: unlinked at once on Linux and macOS), so
they are gone with the array, after an error, a crash or ``kill -9`` too.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RunFailedError

if TYPE_CHECKING:
    import numpy as np

BLOCK = 1 << 15
"""Items buffered before a write, and read at a time when an array is scanned (256 kB of
int64)."""
SORT_ROWS = 1 << 15
"""Rows of a bucket sorted in memory at once by ``SortedColumns.sort``."""
FENCE = 64
"""One key in memory for every this many rows of a ``SortedColumns`` (1/8 byte a row)."""

_POSITIONAL = hasattr(os, "pread") and hasattr(os, "pwrite")
"""``os.pread``/``os.pwrite`` exist on Linux and macOS, not on Windows: there the file is read
and written by seeking, under a lock (readers may share one file)."""

_TYPES = {"b": "int8", "i": "int32", "q": "int64", "d": "float64"}
"""The numpy dtype of each typecode. numpy is imported where an array is read as one or sorted,
not with this module: a run's arrays are made and appended to before its first request, and a
small run reads them back as lists (``read_list``), so numpy (about 60 ms) loads while the
requests are out (``runner.prefetch``) instead of before them."""


def _ndarray_type() -> type | None:
    """numpy's array type if numpy is loaded (no value can be an array before it is)."""
    numpy = sys.modules.get("numpy")
    return None if numpy is None else numpy.ndarray


class SpillError(OSError):
    """A temporary file could not be made or written (a full or read-only temporary folder):
    an ``OSError`` whose ``filename`` names the folder, so the one-line storage error says
    which disk is full, not the file being read or the run folder."""

    in_tmpdir: bool = True
    """Whether the folder is the temporary folder (TMPDIR moves it), not one given."""


TEMPORARY_FOLDER_FIX = "free space there or set TMPDIR to a folder with room"
"""The way on from a full or read-only temporary folder (a given folder: free space there)."""


def spill_failure(exc: SpillError, then: str | None = None) -> RunFailedError:
    """The one line (exit 3) for a temporary file that could not be written, said alike for a
    dataset, a replay recording's index, a journal read back on resume: before this, a spill
    outside the dataset's loading ended as an "internal error" blamed on the file being read.
    ``then``: the way on where something was sent (the resume command, on a line of its own);
    by default, nothing was sent and the same command is run again."""
    what = f"cannot write {exc.filename}: {exc.strerror}"
    fix = TEMPORARY_FOLDER_FIX if exc.in_tmpdir else "free space there"
    if then is None:
        return RunFailedError(f"{what}; nothing was sent: {fix}, and run again")
    return RunFailedError(f"{what}; {fix}", then)


def _failed(exc: OSError, folder: Path | None) -> SpillError:
    where = folder if folder is not None else f"{tempfile.gettempdir()} (TMPDIR)"
    failed = SpillError(exc.errno, exc.strerror, f"a temporary file in {where}")
    failed.in_tmpdir = folder is None
    return failed


class TempFile:
    """An anonymous temporary file, read and written at given offsets."""

    def __init__(self, folder: Path | None = None, positional: bool | None = None) -> None:
        # Lives as long as its owner: closed (and gone) with it.
        try:
            self.file = tempfile.TemporaryFile(dir=folder, buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise _failed(exc, folder) from exc
        self.folder = folder
        self._positional = _POSITIONAL if positional is None else positional
        self._lock = threading.Lock()

    def write(self, data: bytes | memoryview, offset: int) -> None:
        try:
            self._write(data, offset)
        except OSError as exc:
            raise _failed(exc, self.folder) from exc

    def _write(self, data: bytes | memoryview, offset: int) -> None:
        view = memoryview(data).cast("B")
        if self._positional:
            while view:
                done = os.pwrite(self.file.fileno(), view, offset)
                view, offset = view[done:], offset + done
            return
        with self._lock:
            self.file.seek(offset)
            while view:
                done = self.file.write(view) or 0
                view = view[done:]

    def read(self, size: int, offset: int) -> bytes:
        if self._positional:
            return os.pread(self.file.fileno(), size, offset)
        with self._lock:
            self.file.seek(offset)
            return self.file.read(size) or b""

    def read_into(self, buffer: memoryview, offset: int) -> None:
        """Fill ``buffer`` from ``offset`` (without a second copy of the bytes)."""
        view = buffer.cast("B")
        if self._positional and hasattr(os, "preadv"):
            while view:
                done = os.preadv(self.file.fileno(), [view], offset)
                if not done:
                    raise EOFError(offset)
                view, offset = view[done:], offset + done
            return
        if self._positional:
            view[:] = self.read(len(view), offset)
            return
        with self._lock:
            self.file.seek(offset)
            while view:
                done = self.file.readinto(view)
                if not done:
                    raise EOFError(offset)
                view = view[done:]

    def truncate(self, size: int) -> None:
        try:
            self.file.truncate(size)
        except OSError as exc:
            raise _failed(exc, self.folder) from exc

    def close(self) -> None:
        self.file.close()


class SpillFile:
    """One temporary file shared by several arrays, each in extents of ``BLOCK`` items
    allocated as it grows: one file descriptor for all of an owner's columns (a suite with
    fifty expressions would otherwise hold a hundred; macOS allows 256 by default)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.file = TempFile(folder)
        self._end = 0
        self._lock = threading.Lock()

    def allocate(self, size: int) -> int:
        """The offset of ``size`` new bytes (zeros until written)."""
        with self._lock:
            offset = self._end
            self._end += size
            self.file.truncate(self._end)
        return offset

    def close(self) -> None:
        self.file.close()


class SpillArray:
    """An append-only typed array (typecode ``b``, ``i``, ``q`` or ``d``) in a temporary file
    (its own, or a ``SpillFile`` shared with others); memory holds at most ``BLOCK`` unwritten
    items and an offset per extent. Items written can be overwritten in place (``write``); an
    array pickles (to Ray) as its items."""

    def __init__(
        self, typecode: str, *, folder: Path | None = None, shared: SpillFile | None = None
    ) -> None:
        self.typecode = typecode
        self.itemsize = array(typecode).itemsize
        self.folder = shared.folder if shared is not None else folder
        self._owned = shared is None
        self._spill = shared if shared is not None else SpillFile(folder)
        self._extent = BLOCK
        self._extents = array("q")
        self._stored = 0
        self._buffer = array(typecode)

    @property
    def dtype(self) -> np.dtype[Any]:
        import numpy as np

        return np.dtype(_TYPES[self.typecode])

    @classmethod
    def filled(
        cls,
        typecode: str,
        size: int,
        value: float = 0,
        *,
        folder: Path | None = None,
        shared: SpillFile | None = None,
    ) -> SpillArray:
        """An array of ``size`` items, each ``value``."""
        out = cls(typecode, folder=folder, shared=shared)
        block = array(typecode, [value]) * min(size, BLOCK)  # type: ignore[list-item]
        for start in range(0, size, BLOCK):
            out.extend(block[: min(BLOCK, size - start)])
        out.flush()
        return out

    @classmethod
    def sized(
        cls,
        typecode: str,
        size: int,
        *,
        folder: Path | None = None,
        shared: SpillFile | None = None,
    ) -> SpillArray:
        """An array of ``size`` items to be written in place (they read as zero until then)."""
        out = cls(typecode, folder=folder, shared=shared)
        out._reserve(size)
        out._stored = size
        return out

    def _reserve(self, size: int) -> None:
        while len(self._extents) * self._extent < size:
            self._extents.append(self._spill.allocate(self._extent * self.itemsize))

    def _spans(self, start: int, stop: int) -> Iterator[tuple[int, int, int]]:
        """(file offset, first item, items) of the pieces of ``start:stop`` in each extent."""
        size, extent = self.itemsize, self._extent
        while start < stop:
            index, within = divmod(start, extent)
            count = min(extent - within, stop - start)
            yield self._extents[index] + within * size, start, count
            start += count

    def __len__(self) -> int:
        return self._stored + len(self._buffer)

    def append(self, value: float) -> None:
        self._buffer.append(value)  # type: ignore[arg-type]
        if len(self._buffer) >= BLOCK:
            self.flush()

    def extend(self, values: Iterable[Any] | np.ndarray) -> None:
        ndarray = _ndarray_type()
        if ndarray is not None and isinstance(values, ndarray):
            import numpy as np

            self._buffer.frombytes(np.ascontiguousarray(values, dtype=self.dtype).tobytes())
        else:
            self._buffer.extend(values)
        if len(self._buffer) >= BLOCK:
            self.flush()

    def flush(self) -> None:
        """Write the buffered items to the file."""
        if self._buffer:
            stop = self._stored + len(self._buffer)
            self._reserve(stop)
            self._put(self._stored, memoryview(self._buffer).cast("B"))
            self._stored = stop
            self._buffer = array(self.typecode)

    def _put(self, start: int, data: memoryview) -> None:
        size = self.itemsize
        for offset, first, count in self._spans(start, start + len(data) // size):
            at = (first - start) * size
            self._spill.file.write(data[at : at + count * size], offset)

    def write(self, start: int, values: np.ndarray) -> None:
        """Overwrite the items from ``start`` (all of them already in the array)."""
        import numpy as np

        self.flush()
        if start < 0 or start + len(values) > self._stored:
            raise IndexError(start)
        data = np.ascontiguousarray(values, dtype=self.dtype)
        self._put(start, memoryview(data).cast("B"))  # type: ignore[arg-type]

    def read(self, start: int, stop: int) -> np.ndarray:
        """Items ``start`` to ``stop`` as a new array in memory."""
        import numpy as np

        stop = min(stop, len(self))
        out = np.empty(max(0, stop - start), dtype=self.dtype)
        if not out.size:
            return out
        on_disk = min(stop, self._stored)
        for offset, first, count in self._spans(start, on_disk):
            part = memoryview(out[first - start : first - start + count])  # type: ignore[arg-type]
            self._spill.file.read_into(part, offset)
        if stop > self._stored:
            first = max(start, self._stored)
            buffered = np.frombuffer(self._buffer, dtype=self.dtype)
            out[first - start :] = buffered[first - self._stored : stop - self._stored]
        return out

    def read_list(self, start: int, stop: int) -> list[Any]:
        """Items ``start`` to ``stop`` as a list, without numpy (``read(...).tolist()``)."""
        stop = min(stop, len(self))
        out = array(self.typecode)
        if start >= stop:
            return []
        on_disk = min(stop, self._stored)
        for offset, _, count in self._spans(start, on_disk):
            data = self._spill.file.read(count * self.itemsize, offset)
            if len(data) != count * self.itemsize:  # as read_into: never fewer items silently
                raise EOFError(offset)
            out.frombytes(data)
        if stop > self._stored:
            first = max(start, self._stored)
            out.extend(self._buffer[first - self._stored : stop - self._stored])
        return out.tolist()

    def numpy(self) -> np.ndarray:
        """Every item, in memory (for a computation that needs them all at once)."""
        return self.read(0, len(self))

    def chunks(self, size: int = BLOCK) -> Iterator[tuple[int, np.ndarray]]:
        """(start, items) a block at a time."""
        for start in range(0, len(self), size):
            yield start, self.read(start, start + size)

    def count(self, value: float) -> int:
        return sum(int((chunk == value).sum()) for _, chunk in self.chunks())

    def close(self) -> None:
        """Close its file (a shared file is closed by its owner)."""
        if self._owned:
            self._spill.close()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.typecode, self.numpy().tobytes()))


def _rebuild(typecode: str, data: bytes) -> SpillArray:
    import numpy as np

    out = SpillArray(typecode)
    out.extend(np.frombuffer(data, dtype=_TYPES[typecode]))
    return out


def key64(text: str) -> int:
    """A string's 64-bit key (signed, as numpy's int64 keeps it): the first 8 bytes of its
    BLAKE2b digest. Two strings share one with odds of about n^2 / 2^65 (1 in 10^7 for a
    million), so the users check or fall back when keys repeat."""
    data = text.encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def repeated_keys(texts: Iterable[str], *, folder: Path | None = None) -> set[int]:
    """The keys (``key64``) that more than one of these strings has, found by sorting the keys
    on disk: memory holds a bucket of them, not a set of every string."""
    keys = SpillArray("q", folder=folder)
    batch: list[int] = []
    for text in texts:
        batch.append(key64(text))
        if len(batch) >= BLOCK:
            keys.extend(batch)
            batch.clear()
    keys.extend(batch)
    try:
        return repeated_in(keys, folder=folder)
    finally:
        keys.close()


def repeated_in(keys: SpillArray, *, folder: Path | None = None) -> set[int]:
    """The keys that occur more than once in ``keys`` (an int64 column: ``key64``s made as the
    strings went past, so no pass of its own over them). Keys that fit one block are counted
    in a set: no sort files, and no numpy before a small run's first request."""
    repeated: set[int] = set()
    if len(keys) <= BLOCK:
        seen: set[int] = set()
        for key in keys.read_list(0, len(keys)):
            if key in seen:
                repeated.add(key)
            seen.add(key)
        return repeated

    def collect(arrays: list[np.ndarray]) -> list[np.ndarray]:
        ordered = arrays[0]
        repeated.update(ordered[1:][ordered[1:] == ordered[:-1]].tolist())
        return [ordered[:0]]  # nothing to keep

    SortedColumns.sort([keys], each_bucket=collect, folder=folder).close()
    return repeated


class KeyCollision(Exception):
    """Raised by a bucket check of ``SortedColumns.sort``: the caller falls back to memory."""


Bucket = Callable[[list["np.ndarray"]], list["np.ndarray"]]


class SortedColumns:
    """Columns sorted by the first, an int64 key (stable: rows with one key keep their order),
    in temporary files; every ``FENCE``-th key in memory to find a key with one small read."""

    def __init__(self, columns: Sequence[SpillArray], spill: SpillFile | None = None) -> None:
        import numpy as np

        self.columns = list(columns)
        self.spill = spill
        self.size = len(self.columns[0])
        fences = [keys[::FENCE] for _, keys in self.columns[0].chunks()]  # BLOCK % FENCE == 0
        self.fences = np.concatenate(fences) if fences else np.empty(0, dtype=np.int64)

    @classmethod
    def sort(
        cls,
        columns: Sequence[SpillArray],
        *,
        out: Sequence[str] | None = None,
        each_bucket: Bucket | None = None,
        folder: Path | None = None,
    ) -> SortedColumns:
        """The rows of ``columns`` sorted by the first. The rows are split into buckets by the
        key's leading bits (every row of a key in one bucket), each sorted in memory; then
        ``each_bucket`` may check, drop or reorder the rows of a key (returning arrays of the
        ``out`` typecodes), or raise ``KeyCollision``."""
        import numpy as np

        typecodes = list(out) if out is not None else [c.typecode for c in columns]
        shared = SpillFile(folder)
        result = [SpillArray(t, shared=shared) for t in typecodes]
        try:
            for bucket in _buckets(columns, folder):
                order = np.argsort(bucket[0], kind="stable")
                arrays = [a[order] for a in bucket]
                if each_bucket is not None:
                    arrays = each_bucket(arrays)
                for target, values in zip(result, arrays, strict=True):
                    target.extend(values)
        except BaseException:
            shared.close()
            raise
        for target in result:
            target.flush()
        return cls(result, shared)

    def equal_range(self, key: int) -> tuple[int, int]:
        """The rows whose key is ``key`` (an empty range when none)."""
        import numpy as np

        lo_block = max(int(np.searchsorted(self.fences, key, side="left")) - 1, 0)
        hi_block = int(np.searchsorted(self.fences, key, side="right"))
        start, stop = lo_block * FENCE, min(hi_block * FENCE, self.size)
        keys = self.columns[0].read(start, stop)
        return (
            start + int(np.searchsorted(keys, key, side="left")),
            start + int(np.searchsorted(keys, key, side="right")),
        )

    def lookup(self, queries: np.ndarray, column: int) -> np.ndarray:
        """For each query key, ``column``'s value at the first row with that key, or -1:
        the sorted queries are matched against the keys a block at a time."""
        import numpy as np

        found = np.full(queries.size, -1, dtype=np.int64)
        if not queries.size or not self.size:
            return found
        order = np.argsort(queries, kind="stable")
        wanted = queries[order]
        keys_column, values_column = self.columns[0], self.columns[column]
        for start in range(0, self.size, BLOCK):
            stop = min(self.size, start + BLOCK)
            first = self.fences[start // FENCE]
            last = self.fences[stop // FENCE] if stop < self.size else None
            lo = int(np.searchsorted(wanted, first, side="left"))
            hi = wanted.size if last is None else int(np.searchsorted(wanted, last, side="right"))
            if lo >= hi:
                continue
            keys = keys_column.read(start, stop)
            at = np.minimum(np.searchsorted(keys, wanted[lo:hi], side="left"), keys.size - 1)
            hit = keys[at] == wanted[lo:hi]
            targets = order[lo:hi][hit]
            fresh = found[targets] < 0  # a key across two blocks: its first row counts
            values = values_column.read(start, stop)[at[hit]]
            found[targets[fresh]] = values[fresh]
        return found

    def close(self) -> None:
        for column in self.columns:
            column.close()
        if self.spill is not None:
            self.spill.close()


def _buckets(columns: Sequence[SpillArray], folder: Path | None) -> Iterator[list[np.ndarray]]:
    """The rows split by the key's leading bits into buckets of about ``SORT_ROWS``, in key
    order of the buckets, each in file order (so a stable sort of a bucket is stable overall)."""
    import numpy as np

    size = len(columns[0])
    bits = max(0, math.ceil(math.log2(size / SORT_ROWS))) if size > SORT_ROWS else 0
    if bits == 0:
        if size:
            yield [c.numpy() for c in columns]
        return
    count = 1 << bits
    shift = np.uint64(64 - bits)
    flip = np.uint64(1 << 63)  # signed order = unsigned order with the sign bit flipped

    def bucket_of(keys: np.ndarray) -> np.ndarray:
        return ((keys.view(np.uint64) ^ flip) >> shift).astype(np.intp)

    counts = np.zeros(count, dtype=np.int64)
    for _, keys in columns[0].chunks():
        counts += np.bincount(bucket_of(keys), minlength=count)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    shared = SpillFile(folder)
    parted = [SpillArray.sized(c.typecode, size, shared=shared) for c in columns]
    try:
        cursor = starts.copy()
        for start, keys in columns[0].chunks():
            which = bucket_of(keys)
            order = np.argsort(which, kind="stable")
            per = np.bincount(which, minlength=count)
            chunk = [keys[order]] + [c.read(start, start + keys.size)[order] for c in columns[1:]]
            at = 0
            for b in np.flatnonzero(per).tolist():
                n = int(per[b])
                for target, values in zip(parted, chunk, strict=True):
                    target.write(int(cursor[b]), values[at : at + n])
                cursor[b] += n
                at += n
        for b in range(count):
            first, n = int(starts[b]), int(counts[b])
            if n:
                yield [p.read(first, first + n) for p in parted]
    finally:
        shared.close()
