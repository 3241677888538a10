"""Where each request's response lies in a run's journal, so a run can read its responses in
request order, chunk by chunk, without holding them all.

The journal is written in completion order; a run's rows are in request order (case by case,
sample by sample). One pass over the journal finds, per request, the byte offset of its last
record; a chunk's records are then read back by offset. The offsets (8 bytes a request) and
the case ids' positions (``CasePositions``) are kept in temporary files (``store.spill``), so
memory holds a block of them whatever the run's size.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..datatypes import ResponseRecord
from .files import check_regular_file
from .spill import BLOCK, KeyCollision, SortedColumns, SpillArray, SpillFile, key64

if TYPE_CHECKING:  # imported where used: a new run makes its index before numpy is loaded
    import numpy as np

Positions = Callable[[list[tuple[str, int]]], "np.ndarray"]
"""(case_id, sample) keys -> each request's position in the run, or -1 when it is not one."""

PAGE = 1 << 16
"""Offsets updated at a time: the journal is written in about request order, so a batch of its
records lands on one or two pages."""


class JournalIndex:
    """Byte offsets of the responses in ``responses.jsonl``, by request position (-1: none),
    and whether each request's last record is a failure.

    ``positions`` None: the journal is not read; the index starts empty and is filled with
    ``place`` as the journal is written (a fresh run: ``runner.journalnotes``). ``stop``: read
    only the records that begin before this byte (the journal as it was when a retry of its
    errors began: ``runner.retryerrors``)."""

    def __init__(
        self,
        path: Path,
        positions: Positions | None,
        size: int,
        *,
        folder: Path | None = None,
        stop: int | None = None,
    ) -> None:
        self.path = path
        self.size = size
        self.spill = SpillFile(folder)
        self.offsets = SpillArray.filled("q", size, -1, shared=self.spill)
        self.failed = SpillArray.filled("b", size, 0, shared=self.spill)
        if positions is None or not path.exists():
            return
        check_regular_file(path, "the run directory is damaged: start a new run")
        keys: list[tuple[str, int]] = []
        starts: list[int] = []
        errors: list[bool] = []
        with path.open("rb") as handle:
            offset = 0
            for line in handle:
                start, offset = offset, offset + len(line)
                if stop is not None and start >= stop:
                    break
                if not line.endswith(b"\n"):
                    break  # torn write from a crash: resuming cuts it off (RunDir)
                record = ResponseRecord.from_journal_line(line)
                if record is None:
                    continue  # not a record (damaged or edited): skipped
                keys.append(record.key)
                starts.append(start)
                errors.append(record.error is not None)
                if len(keys) >= BLOCK:
                    self.place(positions(keys), starts, errors)
                    keys, starts, errors = [], [], []
        self.place(positions(keys), starts, errors)

    def place(self, where: np.ndarray, starts: list[int], errors: list[bool]) -> None:
        """Record a batch of journal records: each one's request position (-1: not one of the
        run's), the byte offset of its line and whether it is a failure (in file order: the
        last one for a request wins)."""
        import numpy as np

        if not where.size:
            return
        keep = where >= 0
        where = where[keep]
        offsets = np.asarray(starts, dtype=np.int64)[keep]
        failed = np.asarray(errors, dtype=np.int8)[keep]
        # The last record of each request in the batch: the first seen from the end.
        last = where.size - 1 - np.unique(where[::-1], return_index=True)[1]
        where, offsets, failed = where[last], offsets[last], failed[last]  # sorted by position
        pages = where // PAGE
        for page in np.unique(pages).tolist():
            mine = pages == page
            low = page * PAGE
            high = min(self.size, low + PAGE)
            for column, values in ((self.offsets, offsets), (self.failed, failed)):
                block = column.read(low, high)
                block[where[mine] - low] = values[mine]
                column.write(low, block)

    def missing(self) -> int:
        """Requests with no response in the journal."""
        return self.offsets.count(-1)

    def errors(self) -> int:
        """Requests whose last response is a failure."""
        return self.failed.count(1)

    def retrying(self, before: int) -> int:
        """Requests whose last record is a failure journalled before byte ``before``: those a
        retry of the run's errors that began there has still to send again."""
        import numpy as np

        count = 0
        for start, block in self.offsets.chunks():
            failed = self.failed.read(start, start + block.size).astype(bool)
            count += int(np.count_nonzero(failed & (block >= 0) & (block < before)))
        return count

    def pending(self, *, errors_before: int | None = None) -> SpillArray:
        """The positions of the requests with no response, in order; with ``errors_before``,
        also those whose last record is a failure journalled before that byte (``retrying``)."""
        import numpy as np

        out = SpillArray("q", folder=self.offsets.folder)
        for start, block in self.offsets.chunks():
            todo = block == -1
            if errors_before is not None:
                failed = self.failed.read(start, start + block.size).astype(bool)
                todo |= failed & (block >= 0) & (block < errors_before)
            out.extend(start + np.flatnonzero(todo))
        return out

    def retried(self, earlier: JournalIndex, since: int) -> tuple[int, int]:
        """(answered, failed again) among the requests that ``earlier`` (this journal read up
        to byte ``since``) holds as failures and whose last record here begins at ``since`` or
        later: the outcome of a retry of the run's errors that began at that byte."""
        import numpy as np

        answered = failed_again = 0
        for start, block in self.offsets.chunks():
            stop = start + block.size
            were = earlier.failed.read(start, stop).astype(bool)
            again = were & (block >= since)
            now = self.failed.read(start, stop).astype(bool)
            failed_again += int(np.count_nonzero(again & now))
            answered += int(np.count_nonzero(again & ~now))
        return answered, failed_again

    def read(self, start: int, stop: int) -> list[ResponseRecord]:
        """The records of request positions ``start`` to ``stop`` (all present), in order."""
        offsets = self.offsets.read(start, stop).tolist()
        # In file order: the reads go forward through the file.
        order = sorted(range(len(offsets)), key=offsets.__getitem__)
        lines: list[bytes] = []
        with self.path.open("rb") as handle:
            for i in order:
                handle.seek(offsets[i])
                lines.append(handle.readline())
        out: list[ResponseRecord | None] = [None] * len(offsets)
        for i, data in zip(order, _decode_lines(lines), strict=True):
            out[i] = ResponseRecord.from_dict(data)
        return out  # type: ignore[return-value]  # every position filled

    def close(self) -> None:
        self.spill.close()


def _decode_lines(lines: list[bytes]) -> list[Any]:
    """Each JSON line's value, as ``json.loads`` of each line gives it, decoded in one call
    (as one JSON array): 100,000 journal lines took 8.9 us each one by one, 5.8 us so. A line
    that does not decode so (the journal's lines were written and checked as records, but
    whatever the one call cannot read) is decoded alone, which raises as it always did."""
    try:
        values = json.loads(b"[" + b",".join(lines) + b"]")
    except (ValueError, RecursionError):
        return [json.loads(line) for line in lines]
    if len(values) != len(lines):  # (a line that is no single value: cannot be one here)
        return [json.loads(line) for line in lines]
    return values  # type: ignore[no-any-return]


def index_journal(
    path: Path,
    cases: Sequence[Any],
    samples: int,
    *,
    folder: Path | None = None,
    stop: int | None = None,
) -> JournalIndex:
    """The journal index of a run of these cases, ``samples`` requests each (case by case);
    ``stop``: of the records that begin before that byte only."""
    place = CasePositions(cases, folder=folder)

    def positions(keys: list[tuple[str, int]]) -> np.ndarray:
        import numpy as np

        at = place.many([case_id for case_id, _ in keys])
        sample = np.array([s for _, s in keys], dtype=np.int64)
        return np.where((at >= 0) & (sample >= 0) & (sample < samples), at * samples + sample, -1)

    try:
        return JournalIndex(path, positions, len(cases) * samples, folder=folder, stop=stop)
    finally:
        place.close()


class CasePositions:
    """Case id -> position in the run: the ids' 64-bit hashes sorted with their positions beside
    them, in temporary files (a dict of a million ids would take over 100 MB).

    Two ids with one hash (about 1 in 10^7 for a million cases) or a duplicate id make it fall
    back to a dict, so a lookup is never wrong.
    """

    def __init__(self, cases: Sequence[Any], *, folder: Path | None = None) -> None:
        import numpy as np

        spill = SpillFile(folder)
        hashes = SpillArray("q", shared=spill)
        batch: list[int] = []
        for case in cases:
            batch.append(key64(case.id))
            if len(batch) >= BLOCK:
                hashes.extend(batch)
                batch.clear()
        hashes.extend(batch)
        places = SpillArray("q", shared=spill)
        for start in range(0, len(hashes), BLOCK):
            places.extend(np.arange(start, min(len(hashes), start + BLOCK), dtype=np.int64))
        self._dict: dict[str, int] | None = None
        self._sorted: SortedColumns | None = None
        try:
            self._sorted = SortedColumns.sort([hashes, places], each_bucket=_unique, folder=folder)
        except KeyCollision:
            self._dict = {}
            for i, case in enumerate(cases):
                self._dict[case.id] = i  # the last wins, as a dict of them did
        finally:
            spill.close()

    def get(self, case_id: str) -> int | None:
        found = int(self.many([case_id])[0])
        return None if found < 0 else found

    def many(self, case_ids: list[str]) -> np.ndarray:
        """The positions of these ids (-1: not a case of the run)."""
        import numpy as np

        if self._dict is not None:
            table = self._dict
            return np.array([table.get(c, -1) for c in case_ids], dtype=np.int64)
        assert self._sorted is not None
        queries = np.array([key64(c) for c in case_ids], dtype=np.int64)
        return self._sorted.lookup(queries, 1)

    def close(self) -> None:
        if self._sorted is not None:
            self._sorted.close()


def _unique(arrays: list[np.ndarray]) -> list[np.ndarray]:
    keys = arrays[0]
    if keys.size > 1 and bool((keys[1:] == keys[:-1]).any()):
        raise KeyCollision
    return arrays
