"""Appending to an evidence ledger that holds records its ``.head`` anchor does not cover.
Observed: a record added by hand past the anchor (a forged verdict, its hash chained as a
careful forger would) made ``evidence verify`` fail, "records after seq N are not covered by
ledger.jsonl.head: they were appended without the evidence tools"; but the next ``evidence
attach`` of another run chained onto it and moved the anchor over it, and ``evidence verify``
then said OK: the forged record was evidence like any other. An append now moves the anchor
over unanchored records only where they are what a crash leaves (exactly one append of one
run, re-derived from its files: what ``--repair-anchor`` accepts), and otherwise refuses,
changing neither file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.register.ledger import (
    EvidenceError,
    anchor_path,
    attach_run,
    canonical_json,
    read_ledger,
    record_hash,
    verify_ledger,
)

from .register_testkit import make_run


def _forge_after(ledger: Path, **changes: object) -> None:
    """Append a copy of the last record, edited and chained as a careful forger would."""
    last = json.loads(ledger.read_text(encoding="utf-8").splitlines()[-1])
    forged = {**last, **changes, "seq": last["seq"] + 1, "prev_hash": last["hash"]}
    forged["id"] = f"EV-{forged['seq']:06d}"
    forged.pop("hash")
    forged["hash"] = record_hash(forged)
    with ledger.open("a", encoding="utf-8") as handle:
        handle.write(canonical_json(forged) + "\n")


def test_an_append_does_not_anchor_a_record_added_by_hand(reports: Path, ledger: Path) -> None:
    attach_run(make_run(reports, finished_at="2026-11-01T00:00:00+00:00"), ledger_path=ledger)
    _forge_after(ledger, verdict="pass", risk_id="R-009")
    report = verify_ledger(ledger)
    assert not report.ok and "anchor" in report.kinds()
    ledger_before, anchor_before = ledger.read_bytes(), anchor_path(ledger).read_bytes()

    later = make_run(reports, finished_at="2026-11-02T00:00:00+00:00")
    with pytest.raises(EvidenceError, match="not covered by") as refused:
        attach_run(later, ledger_path=ledger)
    assert "EV-000002" in str(refused.value) and "evidence verify" in str(refused.value)
    assert ledger.read_bytes() == ledger_before
    assert anchor_path(ledger).read_bytes() == anchor_before
    assert not verify_ledger(ledger).ok


def test_an_append_after_a_crash_before_the_anchor_moved_covers_that_append(
    reports: Path, ledger: Path
) -> None:
    """One append of one run past the anchor is what a crash between the append and the anchor
    write leaves: the next run's append anchors it, as ``--repair-anchor`` would."""
    attach_run(make_run(reports, finished_at="2026-11-01T00:00:00+00:00"), ledger_path=ledger)
    before = anchor_path(ledger).read_text()
    attach_run(make_run(reports, finished_at="2026-11-02T00:00:00+00:00"), ledger_path=ledger)
    anchor_path(ledger).write_text(before)  # that append's anchor write never happened
    assert verify_ledger(ledger).anchor_behind

    attach_run(make_run(reports, finished_at="2026-11-03T00:00:00+00:00"), ledger_path=ledger)
    records = read_ledger(ledger)
    assert [r.seq for r in records] == [1, 2, 3]
    report = verify_ledger(ledger)
    assert report.ok and not report.anchor_behind and not report.warnings


def test_an_append_does_not_replace_an_anchor_that_cannot_be_read(
    reports: Path, ledger: Path
) -> None:
    """Observed: an anchor overwritten with something else failed 'evidence verify'
    ("unreadable anchor file"); the next attach wrote a fresh one over it, and verify passed."""
    attach_run(make_run(reports, finished_at="2026-11-01T00:00:00+00:00"), ledger_path=ledger)
    anchor_path(ledger).write_text("not an anchor\n")
    assert not verify_ledger(ledger).ok
    ledger_before = ledger.read_bytes()

    with pytest.raises(EvidenceError, match="anchor") as refused:
        attach_run(make_run(reports, finished_at="2026-11-02T00:00:00+00:00"), ledger_path=ledger)
    assert "evidence verify" in str(refused.value)
    assert ledger.read_bytes() == ledger_before
    assert anchor_path(ledger).read_text() == "not an anchor\n"
