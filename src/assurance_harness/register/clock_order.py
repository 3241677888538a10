"""Runs whose place in time the clocks cannot settle: appended after a suite's latest run,
yet recorded at an earlier time.

A suite's latest run is the one that finished last (``finished_at``), so an old run attached
late never becomes current. That reading trusts the clocks: a run made on a machine whose clock
was behind (set back, or a CI runner slow beside the one before it) is dated before the run it
follows, and a failure there hid behind the earlier pass. The ledger's order is no clock's: a
run appended after the latest one but recorded (``recorded_at``) before it was recorded means
the clock went back between the two appends, so either run may be the later one.
"""

from __future__ import annotations

import datetime as dt

from .evidence_record import EvidenceRecord, parse_time

__all__ = ["dated_before_latest"]


def _recorded(run: list[EvidenceRecord]) -> list[dt.datetime]:
    return [t for r in run if (t := parse_time(r.recorded_at)) is not None]


def dated_before_latest(runs: list[list[EvidenceRecord]]) -> list[list[EvidenceRecord]]:
    """The runs of ``runs`` (newest first, ``status._group_runs``) appended after ``runs[0]``
    but recorded at an earlier time: each may be later than ``runs[0]``."""
    if len(runs) < 2:
        return []
    latest = runs[0]
    last_seq = max(r.seq for r in latest)
    recorded = _recorded(latest)
    if not recorded:
        return []
    return [
        run
        for run in runs[1:]
        if min(r.seq for r in run) > last_seq and any(t < max(recorded) for t in _recorded(run))
    ]
