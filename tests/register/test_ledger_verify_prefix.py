"""Every register and risk page verifies the ledger's chain (``verify_ledger``, no files): at
12,050 records that was most of a 10-13 s page, every load, for a ledger that had not changed
since the load before. A process now keeps the prefix it verified (its bytes' SHA-256, not
the file's times, which ``touch`` sets) and checks again only the records appended after it;
anything else changed, the whole ledger is verified again. Was: every record parsed and hashed
again on every load. A record edited in place (same size, its mtime put back) after a first
load is still caught on the next."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assurance_harness.register import evidence_record
from assurance_harness.register.ledger import append_records, verify_ledger

REGISTER = """register_version: 1
system: {name: bench, intended_use: tests, owner: qa}
risks:
  - id: R-001
    title: Answers without a number
    category: safety
    owner: qa
    likelihood: 3
    impact: 3
    suites: [{suite: s}]
"""


def _body(k: int) -> dict[str, object]:
    return {
        "risk_id": "R-001", "run_id": f"r{k:03d}", "verdict": "pass", "suite": {"name": "s"},
        "target": {"name": "t"}, "gate": {"id": "g"}, "metric": None, "run": {},
    }  # fmt: skip


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "evidence" / "ledger.jsonl"
    path.parent.mkdir()
    append_records(path, [_body(k) for k in range(40)])
    return path


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the records whose content hash is computed, in order."""
    seen: list[str] = []
    original = evidence_record.EvidenceRecord.content_hash

    def counted(self: evidence_record.EvidenceRecord) -> str:
        seen.append(self.id)
        return original(self)

    monkeypatch.setattr(evidence_record.EvidenceRecord, "content_hash", counted)
    return seen


def _edit_in_place(path: Path, line: int) -> None:
    """Record ``line`` (1-based) made to say "fail" where it said "pass": the same size, and
    the file's mtime put back as it was."""
    before = path.stat()
    lines = path.read_bytes().splitlines(keepends=True)
    edited = lines[line - 1].replace(b'"verdict":"pass"', b'"verdict":"fail"')
    assert edited != lines[line - 1] and len(edited) == len(lines[line - 1])
    lines[line - 1] = edited
    path.write_bytes(b"".join(lines))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def test_a_second_verify_hashes_only_the_records_appended_since(ledger, hashed) -> None:
    first = verify_ledger(ledger, check_files=False)
    assert first.ok and first.records == 40 and len(hashed) == 40, first.issues
    hashed.clear()
    again = verify_ledger(ledger, check_files=False)
    assert again.ok and again.records == 40 and again.head == first.head, again.issues
    assert hashed == []  # was: all 40 again
    append_records(ledger, [_body(40), _body(41)])
    grown = verify_ledger(ledger, check_files=False)
    assert grown.ok and grown.records == 42, grown.issues
    assert hashed == ["EV-000041", "EV-000042"]


def test_a_record_edited_in_place_after_a_first_verify_is_caught(ledger) -> None:
    assert verify_ledger(ledger, check_files=False).ok
    _edit_in_place(ledger, 20)
    report = verify_ledger(ledger, check_files=False)
    assert [(i.kind, i.line) for i in report.issues] == [("edited", 20)], report.issues
    assert not verify_ledger(ledger, check_files=False).ok  # and on every load after


def test_an_edit_with_an_append_after_a_first_verify_is_caught(ledger) -> None:
    assert verify_ledger(ledger, check_files=False).ok
    _edit_in_place(ledger, 7)
    append_records(ledger, [_body(40)])
    report = verify_ledger(ledger, check_files=False)
    assert ("edited", 7) in [(i.kind, i.line) for i in report.issues], report.issues


def test_a_ledger_moved_aside_and_replaced_is_verified_again(ledger, hashed) -> None:
    assert verify_ledger(ledger, check_files=False).ok
    copy = ledger.with_name("copy.jsonl")
    copy.write_bytes(ledger.read_bytes())
    _edit_in_place(copy, 3)
    os.replace(copy, ledger)
    hashed.clear()
    report = verify_ledger(ledger, check_files=False)
    assert [(i.kind, i.line) for i in report.issues] == [("edited", 3)], report.issues


def test_the_register_page_shows_an_edit_made_after_its_first_load(
    ledger: Path, tmp_path: Path
) -> None:
    from assurance_harness.ui.app import Settings
    from tests.review.serve import get_page, serving

    register = tmp_path / "register.yaml"
    register.write_text(REGISTER, encoding="utf-8")
    banner = "The evidence ledger failed verification"
    with serving(Settings(ledger.parent.parent, register, ledger)) as base:
        assert banner not in get_page(f"{base}/register")
        _edit_in_place(ledger, 20)
        for page in ("/register/R-001", "/register"):
            assert banner in get_page(base + page), page
