"""``evidence verify`` and ``evidence head`` check every record's bytes and hash. Observed: each
check deep-copied the record (``EvidenceRecord.to_dict``, ``dataclasses.asdict``) only to
serialise it, twice per record (the line's bytes, then its hash): two thirds of the time
``verify_ledger`` took on a ledger of 2,000 records. The records are serialised from their
fields as they are now, and must serialise and hash byte for byte as before: a ledger written
before still verifies (the golden ledger, ``test_ledger_golden``), and a record hashes the
same through the deep copy and without it, a review record included."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from assurance_harness.register import evidence_record
from assurance_harness.register.evidence_record import EvidenceRecord, canonical_json
from assurance_harness.register.ledger import read_ledger, record_hash, verify_ledger

GOLDEN = Path(__file__).parent / "golden"


def _golden_ledger(tmp_path: Path) -> Path:
    """A copy of the golden reports folder (a ledger and its run, written by an older
    version); its ledger's path."""
    shutil.copytree(GOLDEN / "reports", tmp_path / "reports")
    return tmp_path / "reports" / "evidence" / "ledger.jsonl"


def test_verifying_a_ledger_deep_copies_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = _golden_ledger(tmp_path)
    copies = []

    def counted(record: object) -> dict:
        copies.append(record)
        return dataclasses.asdict(record)  # type: ignore[call-overload]

    monkeypatch.setattr(evidence_record, "asdict", counted)
    report = verify_ledger(ledger)
    assert report.ok and report.records == 6, report.issues
    assert copies == []


def _with_review(record: EvidenceRecord) -> EvidenceRecord:
    """``record`` as a review record (a person's verdict on one row), its hash made anew."""
    review = {
        "row": {"case_id": "c1", "sample": 0},
        "reviewer": "ana",
        "decision": "override",
        "label": "unsafe",
        "note": "Zürich \u2028 line",
        "reasons": ["a", "b"],
    }
    body = {**record.body(), "verdict": "review", "review": review}
    return EvidenceRecord.from_dict({**body, "hash": record_hash(body)})


def test_records_serialise_and_hash_as_their_deep_copy_did(tmp_path: Path) -> None:
    ledger = _golden_ledger(tmp_path)
    lines = ledger.read_text(encoding="utf-8").splitlines(keepends=True)
    records = read_ledger(ledger)
    assert len(records) == len(lines) == 6
    for line, record in zip(lines, [*records], strict=True):
        assert record.to_line() == line
        assert record_hash(record.body()) == record.hash
    for record in (*records, _with_review(records[0])):
        deep = dataclasses.asdict(record)
        if deep["review"] is None:
            del deep["review"]
        assert record.to_line() == canonical_json(deep) + "\n"
        assert record.to_dict() == deep
        hashed = {k: v for k, v in deep.items() if k != "hash"}
        assert record_hash(record.body()) == record_hash(hashed) == record.hash
    assert verify_ledger(ledger).ok
