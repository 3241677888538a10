"""An append to the evidence ledger that the disk cannot hold is a storage fault: exit 3 (the
command failed), never exit 1, which CI reads as a failed gate. Observed: 'evidence attach' on
a full disk printed ``ledger.jsonl: short write (2155 of 6037 bytes)`` and exited 1, where a
run hitting the same fault exits 3.

A real write failure: the process's file size limit (``RLIMIT_FSIZE``, which holds for root
too), under which a write is cut short at the limit and the next one fails with EFBIG, as on a
disk that fills part-way through a write."""

from __future__ import annotations

from pathlib import Path

from tests.review.reviewkit import make_project
from tests.testing.cli import run_cli

LIMIT = 1000
"""Bytes any one file of the process may hold: less than one evidence record, more than the
lock files and the anchor an attach writes."""


def test_an_attach_the_disk_cannot_hold_is_exit_3_naming_the_ledger(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_id = project.run().run_id
    project.ledger.unlink()  # the run's records gone with their anchor: it can be attached again
    project.ledger.with_name("ledger.jsonl.head").unlink()
    # The run's folder, not its id: the id is looked up in runs.db, larger than the limit.
    args = (
        "evidence",
        "attach",
        project.reports / run_id,
        "--reports",
        project.reports,
        "--register",
    )

    failed = run_cli(*args, project.register, timeout=60, file_size_limit=LIMIT)
    assert failed.returncode == 3, failed.stdout + failed.stderr
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1, failed.stderr
    assert "Traceback" not in lines[0] and "internal error" not in lines[0], failed.stderr
    assert "ledger.jsonl" in lines[0] and "File too large" in lines[0], failed.stderr
    assert "nothing was appended" in lines[0], failed.stderr
    assert project.ledger.read_bytes() == b""  # the part written was taken back
    assert not project.ledger.with_name("ledger.jsonl.head").exists()

    done = run_cli(*args, project.register, timeout=60)  # the limit lifted: the same command
    assert done.returncode == 0, done.stdout + done.stderr
    verified = run_cli("evidence", "verify", "--reports", project.reports, timeout=60)
    assert verified.returncode == 0, verified.stdout + verified.stderr
