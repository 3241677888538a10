"""A ledger line is the bytes the ledger wrote for its record, not just JSON that parses to it.

Observed: ``evidence verify`` said OK over a line edited without changing the parsed record: a
duplicate ``"verdict":"pass"`` key slipped in before the real ``"verdict":"fail"`` (a reader
that keeps the first key, or grep, reads pass), a value re-escaped (``f\\u0061il``), CRLF line
ends. It hashed the parsed record and never compared the line with its canonical JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.register.ledger import attach_run, verify_ledger
from tests.testing.cli import run_cli

from .register_testkit import GateSpec, make_run

EDITS = {
    "a duplicate key read first": (b'"verdict":"fail"', b'"verdict":"pass","verdict":"fail"'),
    "a re-escaped value": (b'"verdict":"fail"', b'"verdict":"f\\u0061il"'),
    "CRLF line ends": (b"\n", b"\r\n"),
    "a space after a colon": (b'"verdict":"fail"', b'"verdict": "fail"'),
}


@pytest.fixture
def failing(reports: Path, ledger: Path) -> Path:
    """A ledger of one run whose gate failed, as attach wrote it (it verifies)."""
    run = make_run(reports, gates=[GateSpec("toxic_rate", "fail")])
    attach_run(run, ledger_path=ledger)
    assert verify_ledger(ledger).ok
    return ledger


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_line_edited_without_changing_its_record_is_reported_edited(
    failing: Path, edit: str
) -> None:
    old, new = EDITS[edit]
    data = failing.read_bytes()
    assert old in data
    failing.write_bytes(data.replace(old, new))
    report = verify_ledger(failing)
    assert not report.ok
    assert [(i.kind, i.line, i.record_id) for i in report.issues] == [("edited", 1, "EV-000001")], (
        report.issues
    )


def test_evidence_verify_exits_1_on_a_duplicate_key(failing: Path, reports: Path) -> None:
    old, new = EDITS["a duplicate key read first"]
    failing.write_bytes(failing.read_bytes().replace(old, new, 1))
    proc = run_cli("evidence", "verify", "--reports", reports)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{failing}:1 (EV-000001): edited:" in proc.stderr, proc.stderr


def test_the_golden_ledger_written_by_earlier_versions_still_verifies() -> None:
    golden = Path(__file__).parent / "golden" / "reports" / "evidence" / "ledger.jsonl"
    assert verify_ledger(golden, check_files=False).ok
