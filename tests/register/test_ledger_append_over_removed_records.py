"""Appending to an evidence ledger whose records were removed. Observed: with the ledger
deleted, emptied or cut back to its first records, ``evidence verify`` failed (the ``.head``
anchor records more records than the ledger holds), but the next ``evidence attach`` (or
``review adjudicate``, or a run with ``--register``) started the chain afresh from what was
left and moved the anchor to it; ``evidence verify`` then said OK, and the removed records
were gone without a trace. An append now refuses (exit 1, as tampering) while the anchor is
ahead of the ledger, and changes neither file; the line of a ledger that is not UTF-8 is
named, not an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.review.reviewkit import make_project
from tests.testing.cli import run_cli

CUTS = {
    "deleted": lambda data: None,
    "emptied": lambda data: b"",
    "cut to its first record": lambda data: data.splitlines(keepends=True)[0],
}


@pytest.mark.parametrize("cut", list(CUTS))
def test_an_append_to_a_ledger_behind_its_anchor_is_refused(tmp_path: Path, cut: str) -> None:
    project = make_project(tmp_path)
    project.run()
    second = project.run().run_id  # two runs' records: something to cut back to
    ledger, anchor = project.ledger, project.ledger.with_name("ledger.jsonl.head")
    data = CUTS[cut](ledger.read_bytes())
    if data is None:
        ledger.unlink()
    else:
        ledger.write_bytes(data)
    anchor_before = anchor.read_bytes()

    args = ["--reports", project.reports, "--register", project.register]
    done = run_cli("evidence", "attach", second, *args, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error" not in lines[0], done.stderr
    assert "ledger.jsonl" in lines[0] and "removed" in lines[0], done.stderr
    assert anchor.read_bytes() == anchor_before
    assert (ledger.read_bytes() if ledger.exists() else None) == data
    verified = run_cli("evidence", "verify", "--reports", project.reports, timeout=60)
    assert verified.returncode == 1, verified.stdout + verified.stderr


def test_an_append_to_a_ledger_with_a_line_that_is_not_utf8_names_it(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_id = project.run().run_id
    with project.ledger.open("ab") as handle:
        handle.write(b'{"seq": 99, "x": "\xff\xfe"}\n')
    args = ["--reports", project.reports, "--register", project.register]
    done = run_cli(
        "review", "adjudicate", run_id, "c2#0", "--agree", *args, env={"ASSURANCE_REVIEWER": "e"}
    )
    text = done.stdout + done.stderr
    assert "internal error" not in text and "Traceback" not in text, text
    assert done.returncode == 1 and "ledger.jsonl:" in text, text
