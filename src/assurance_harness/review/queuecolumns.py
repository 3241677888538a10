"""What a review policy reads of each row of a streamed run, kept on disk, and the queue a
finished run builds from it.

As the rows stream past (``runner.rowstream``), each row's verdicts under the policy (failed
request, flagged, in the uncertainty band, picked for QC, the scorer's label) become one byte,
and its key (``case_id#sample``) a 64-bit hash for finding the worst cases that failing gates
name: 9 bytes a row in a temporary file (``store.spill``). Memory keeps the keys of the rows
the policy queues by itself (flag, band, QC: the queue, which the run's summary lists anyway),
not the run. After the gates are judged, the queue is read back from the columns in row order;
a worst case's key is checked against the case list.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..metrics._grouping import number
from ..metrics.expr import evaluate
from ..rowkeys import case_key
from ..store.spill import SpillArray, SpillFile, key64
from .policy import ReviewPolicy, qc_pick, row_key

ERROR, FLAG, BAND, QC, LABEL_TRUE, LABEL_FALSE = 1, 2, 4, 8, 16, 32
"""A row's marks (bits of one byte). No label bit: the scorer's label is null."""
QUEUED = FLAG | BAND | QC
"""Marks that queue a row by themselves (a worst case is queued by the gates' keys)."""


def row_marks(policy: ReviewPolicy, row: dict[str, Any], *, seed: int) -> int:
    """What the policy says of one row, as ``ERROR | FLAG | BAND | QC`` and label bits. A
    failed request gets ``ERROR`` only: it is never queued, so nothing else is evaluated."""
    if row.get("error") is not None:
        return ERROR
    label = evaluate(policy.label, row)
    flag = policy.flag_expr
    flagged = label if flag == policy.label else evaluate(flag, row)
    marks = FLAG if flagged else 0
    if policy.band is not None:
        figure = number(evaluate(policy.band.value, row))
        if figure is not None and policy.band.low <= figure <= policy.band.high:
            marks |= BAND
    if policy.sample and qc_pick(seed, row_key(row), policy.sample):
        marks |= QC
    if label is not None:
        marks |= LABEL_TRUE if label else LABEL_FALSE
    return marks


def _label(marks: int) -> bool | None:
    return True if marks & LABEL_TRUE else False if marks & LABEL_FALSE else None


class QueueColumns:
    """A run's rows as the review policy sees them, filled chunk by chunk (a row sink); then the
    queue: ``[{key, reasons, scorer_label}]`` in row order, every row a person should see and
    why. Reasons in order: ``flag``, ``band``, ``worst:<gate>`` (each failing gate naming the
    row, in gate order), ``qc``."""

    def __init__(
        self,
        policy: ReviewPolicy,
        *,
        seed: int,
        samples: int,
        case_id: Callable[[int], str],
        folder: Path | None = None,
    ) -> None:
        self.policy = policy
        self.seed = seed
        self.samples = samples
        self.case_id = case_id
        self.spill = SpillFile(folder)
        self.marks = SpillArray("b", shared=self.spill)
        self.queued: list[str] = []
        """The keys of the rows with a ``QUEUED`` mark, in row order."""
        # Only a policy that queues worst cases looks rows up by key.
        self.keys = SpillArray("q", shared=self.spill) if policy.worst_of_failing_gates else None

    def add(self, rows: list[dict[str, Any]]) -> None:
        """The next rows of the run, in request order."""
        policy, seed = self.policy, self.seed
        marks = array("b", [row_marks(policy, row, seed=seed) for row in rows])
        self.queued += [
            row_key(row) for row, mark in zip(rows, marks, strict=True) if mark & QUEUED
        ]
        self.marks.extend(marks)
        if self.keys is not None:
            self.keys.extend(array("q", [key64(row_key(row)) for row in rows]))

    def _key(self, position: int) -> str:
        case, sample = divmod(position, self.samples)
        return case_key(self.case_id(case), sample)

    def _worst(
        self, gates: Sequence[dict[str, Any]]
    ) -> tuple[dict[str, list[str]], dict[int, str]]:
        """Each worst case's reasons by key, and the positions of the rows with those keys."""
        reasons: dict[str, list[str]] = {}
        for gate in gates:
            if gate.get("verdict") == "pass":
                continue
            for key in list(gate.get("worst_cases") or [])[: self.policy.worst_of_failing_gates]:
                reasons.setdefault(str(key), []).append(f"worst:{gate.get('id')}")
        positions: dict[int, str] = {}
        if not reasons or self.keys is None:
            return reasons, positions
        wanted = np.array(sorted({key64(key) for key in reasons}), dtype=np.int64)
        for start, keys in self.keys.chunks():
            for hit in np.flatnonzero(np.isin(keys, wanted)).tolist():
                key = self._key(start + hit)
                if key in reasons:  # not another key with the same hash
                    positions[start + hit] = key
        return reasons, positions

    def queue(self, gates: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """The review queue, once the gates (with their worst cases) are judged."""
        reasons, worst = self._worst(gates)
        extra = np.array(sorted(worst), dtype=np.int64)
        queue = []
        queued = iter(self.queued)
        for start, marks in self.marks.chunks():
            stop = start + marks.size
            mine = extra[(extra >= start) & (extra < stop)] - start
            rows = np.union1d(np.flatnonzero(marks & QUEUED), mine)
            for row in rows.tolist():
                mark = int(marks[row])
                if mark & ERROR:
                    continue
                # A failed request has no other mark: every QUEUED row takes its key.
                key = next(queued) if mark & QUEUED else worst[start + row]
                why = [name for bit, name in ((FLAG, "flag"), (BAND, "band")) if mark & bit]
                why += reasons.get(key, [])
                if mark & QC:
                    why.append("qc")
                if why:
                    queue.append({"key": key, "reasons": why, "scorer_label": _label(mark)})
        return queue

    def close(self) -> None:
        self.spill.close()
