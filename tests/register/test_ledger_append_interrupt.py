"""Ctrl-C while a command appends to the evidence ledger. Observed: a Ctrl-C that landed after
``review adjudicate`` or ``runs purge`` had appended its records, as the ``.head`` anchor was
being moved over them, exited 130 with the records in ``ledger.jsonl`` and the anchor one append
behind. A review or purge record is not re-derived from any run's files, so 'evidence verify'
read it as tampering ("appended without the evidence tools", exit 1), '--repair-anchor'
refused it, and redoing the command (which reuses the record) left it so for good.

Now the append and its anchor are one step a Ctrl-C does not split: it takes effect once both
are written, so the ledger verifies, the command's own step (the verdict's row, the deletion)
is not done, and the redo finishes it on the same record. The signal is real (SIGINT raised in
this process, Python's handler in place), landing as the anchor is written."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assurance_harness.privacy.retention import PAYLOAD_FILES, RETENTION
from assurance_harness.register import ledger_store
from assurance_harness.register.ledger import attach_run, read_ledger, verify_ledger
from assurance_harness.review.store import ReviewStore
from tests.review.reviewkit import Project, make_project
from tests.testing.cli import invoke_in_process

from .register_testkit import make_run

ROW = "c2#0"


@contextmanager
def _ctrl_c_as_the_anchor_moves(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """A real Ctrl-C (SIGINT in this process) as the next ledger append moves its anchor;
    yields the list of the anchors' sequence numbers it landed at (one, once it has)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    write_anchor = ledger_store._write_anchor
    fired: list[int] = []

    def ctrl_c_then_write(ledger_path: Path, last: ledger_store.EvidenceRecord) -> None:
        if not fired:
            fired.append(last.seq)
            signal.raise_signal(signal.SIGINT)
        write_anchor(ledger_path, last)

    monkeypatch.setattr(ledger_store, "_write_anchor", ctrl_c_then_write)
    try:
        yield fired
    finally:
        monkeypatch.setattr(ledger_store, "_write_anchor", write_anchor)
        signal.signal(signal.SIGINT, previous)


def _verify(project: Project) -> tuple[int, str]:
    done = invoke_in_process(["evidence", "verify", "--reports", str(project.reports)])
    return done.exit_code, done.output


def _adjudicate(project: Project, run_id: str) -> int:
    args = ["review", "adjudicate", run_id, ROW, "--agree", "--reports", str(project.reports)]
    done = invoke_in_process([*args, "--register", str(project.register), "--reviewer", "alice"])
    return done.exit_code


def test_ctrl_c_as_a_verdict_is_anchored_leaves_a_ledger_that_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    run_id = project.run().run_id

    with _ctrl_c_as_the_anchor_moves(monkeypatch) as landed:
        assert _adjudicate(project, run_id) == 130
    assert landed == [2]  # as the verdict's record (after the run's one) was anchored
    rc, text = _verify(project)
    # No tampering; the record whose verdict is not stored yet is named, to be given again
    # (nothing was said only while runs.db held no verdict at all).
    assert rc == 0 and "tampered" not in text, text
    assert "EV-000002" in text and "has no verdict in runs.db" in text, text

    assert _adjudicate(project, run_id) == 0
    (record,) = [r.id for r in read_ledger(project.ledger, reviews=True) if r.is_review]
    verdicts = ReviewStore(project.reports / "runs.db").history(run_id, ROW)
    assert [v.ledger_ids for v in verdicts] == [[record]]  # the verdict once, on one record
    rc, text = _verify(project)
    assert rc == 0 and "warning" not in text, text


def test_ctrl_c_as_a_purge_is_anchored_leaves_a_ledger_that_verifies(
    reports: Path, ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.parent.mkdir(parents=True)
    runs = [
        make_run(reports, finished_at="2026-01-10T09:00:00+00:00", run_id=f"old-{n}") for n in "ab"
    ]
    for run in runs:
        attach_run(run, ledger_path=ledger)
    purge = ["runs", "purge", "--older-than", "90d", "--reports", str(reports)]

    with _ctrl_c_as_the_anchor_moves(monkeypatch) as landed:
        assert invoke_in_process(purge).exit_code == 130
    assert landed == [4]  # as the purge records (after the runs' two) were anchored
    report = verify_ledger(ledger)
    assert report.ok and not report.warnings, report.issues

    assert invoke_in_process(purge).exit_code == 0
    purged = sorted(r.run_id for r in read_ledger(ledger) if r.risk_id == RETENTION)
    assert purged == ["old-a", "old-b"]  # each purge recorded once
    assert not [run / name for run in runs for name in PAYLOAD_FILES if (run / name).exists()]
    report = verify_ledger(ledger)
    assert report.ok and not report.warnings and report.purged == purged, report.issues
