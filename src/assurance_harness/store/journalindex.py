"""Where each request's response lies in a run's journal, so a run can read its responses in
request order, chunk by chunk, without holding them all.

The journal is written in completion order; a run's rows are in request order (case by case,
sample by sample). One pass over the journal keeps, per request, the byte offset of its last
record (8 bytes a request); a chunk's records are then read back by offset.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..datatypes import ResponseRecord

Position = Callable[[str, int], int | None]
"""(case_id, sample) -> the request's position in the run, or None when it is not one."""


class JournalIndex:
    """Byte offsets of the responses in ``responses.jsonl``, by request position."""

    def __init__(self, path: Path, position: Position, size: int) -> None:
        self.path = path
        self.offsets = array("q", [-1]) * size
        if not path.exists():
            return
        with path.open("rb") as handle:
            offset = 0
            for line in handle:
                start, offset = offset, offset + len(line)
                if not line.endswith(b"\n"):
                    break  # torn write from a crash, as RunDir.read_responses
                try:
                    record = ResponseRecord.from_dict(json.loads(line))
                except (json.JSONDecodeError, TypeError):
                    continue  # skipped as RunDir.read_responses skips it
                where = position(*record.key)
                if where is not None:
                    self.offsets[where] = start  # the last record for a request wins

    def missing(self) -> int:
        """Requests with no response in the journal."""
        return self.offsets.count(-1)

    def read(self, start: int, stop: int) -> list[ResponseRecord]:
        """The records of request positions ``start`` to ``stop`` (all present), in order."""
        wanted = sorted(range(start, stop), key=lambda i: self.offsets[i])
        out: dict[int, ResponseRecord] = {}
        with self.path.open("rb") as handle:
            for position in wanted:  # in file order: the reads go forward through the file
                handle.seek(self.offsets[position])
                out[position] = ResponseRecord.from_dict(json.loads(handle.readline()))
        return [out[i] for i in range(start, stop)]


class CasePositions:
    """Case id -> position in the run, in 16 bytes a case: the ids' 64-bit hashes sorted, with
    the positions beside them (a dict of a million ids would take over 100 MB).

    Two ids with one hash (about 1 in 10^7 for a million cases) or a duplicate id make it fall
    back to a dict, so a lookup is never wrong.
    """

    def __init__(self, cases: Sequence[Any]) -> None:
        import numpy as np

        ids = (_hash64(c.id) for c in cases)
        hashes = np.fromiter(ids, dtype=np.int64)
        self._order = np.argsort(hashes, kind="stable")
        self._hashes = hashes[self._order]
        self._dict: dict[str, int] | None = None
        if self._hashes.size > 1 and bool((self._hashes[1:] == self._hashes[:-1]).any()):
            self._dict = {}
            for i, case in enumerate(cases):
                self._dict[case.id] = i  # the last wins, as a dict of them did
            self._hashes = self._order = np.empty(0, dtype=np.int64)

    def get(self, case_id: str) -> int | None:
        if self._dict is not None:
            return self._dict.get(case_id)
        import numpy as np

        key = _hash64(case_id)
        at = int(np.searchsorted(self._hashes, key))
        if at < self._hashes.size and int(self._hashes[at]) == key:
            return int(self._order[at])
        return None


def _hash64(text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
        "big",
        signed=True,
    )
