"""Runs whose place in time the clocks cannot settle: appended after a suite's latest run,
yet recorded at an earlier time.

A suite's latest run is the one that finished last (``finished_at``), so an old run attached
late never becomes current. That reading trusts the clocks: a run made on a machine whose clock
was behind (set back, or a CI runner slow beside the one before it) is dated before the run it
follows, and a failure there hid behind the earlier pass. The ledger's order is no clock's: a
run appended after the latest one but recorded (``recorded_at``) before it was recorded means
the clock went back between the two appends, so either run may be the later one.
``recorded_going_back`` says where ``recorded_at`` goes back along the chain at all, as a
warning of ``evidence verify``.
"""

from __future__ import annotations

import datetime as dt

from .evidence_record import EvidenceRecord, parse_time

__all__ = ["dated_before_latest", "recorded_going_back"]


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


def recorded_going_back(records: list[EvidenceRecord]) -> str | None:
    """A warning where ``recorded_at`` goes back along ``records`` (the chain, in order), or
    None. Not tampering: ledgers written before the time was read under the lock hold it
    where two writers appended at once, and a clock set back (or a team store's runner
    behind another) still writes it (``ledger_store.append_bodies``). A reader of the ledger
    as a timeline is told that the chain's order, not these times, is the order of
    appending: one line, naming the first step back, whatever the count (a warning per step
    would bury the verdict). Each step is taken from the record before with a time."""
    back: list[tuple[EvidenceRecord, EvidenceRecord]] = []
    previous: tuple[dt.datetime, EvidenceRecord] | None = None
    for record in records:
        at = parse_time(record.recorded_at)
        if at is None:
            continue
        if previous is not None and at < previous[0]:
            back.append((previous[1], record))
        previous = (at, record)
    if not back:
        return None
    before, first = back[0]
    places = f"{len(back)} places" if len(back) > 1 else "1 place"
    return (
        f"recorded_at goes back along the chain at {places}, first at {first.id} "
        f"({first.recorded_at}, after {before.id} at {before.recorded_at}): a clock read "
        "earlier than the one before it (set back, or two writers' clocks disagree; "
        "earlier versions also wrote it where two appended at once); the chain's order, not "
        "these times, is the order the records were appended in"
    )
