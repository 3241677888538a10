"""A ``runs purge`` that records nothing deletes nothing: observed, one refused by the ledger
(records removed before its anchor, its last line torn) put every run file back, exit 1 or 3,
but had already deleted the prompts and responses the review queue keeps of the runs it was
purging. The runs stayed unpurged, with no purge record, and their queue showed no text: a
loss nothing recorded. The queue's texts are now deleted only once the purge is recorded."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.privacy.purgedkit import age_run
from tests.review.reviewkit import make_project
from tests.testing.cli import run_cli


def _queue_texts(db: Path, run_id: str) -> list[tuple[str | None, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT prompt, response FROM review_queue WHERE run_id = ? ORDER BY row_key",
            (run_id,),
        ).fetchall()


def _remove_records(ledger: Path) -> None:
    ledger.write_bytes(b"")  # the anchor still names the records: appends are refused


def _tear_last_line(ledger: Path) -> None:
    with ledger.open("ab") as handle:
        handle.write(b'{"format":1,"gate":{"bound"\n')


@pytest.mark.parametrize("damage", [_remove_records, _tear_last_line], ids=["removed", "torn"])
def test_a_refused_purge_keeps_the_review_queues_texts(
    tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    project = make_project(tmp_path)
    run_id = project.run().run_id
    age_run(project.reports / run_id)
    db = project.reports / "runs.db"
    before = _queue_texts(db, run_id)
    assert before and all(prompt and response for prompt, response in before), before
    damage(project.ledger)

    done = run_cli("runs", "purge", "--older-than", "90d", "--reports", project.reports)

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (1, 3), done.stdout + done.stderr
    assert (project.reports / run_id / "results.jsonl").is_file()  # not purged
    assert _queue_texts(db, run_id) == before
    assert "RETENTION" not in project.ledger.read_text("utf-8")  # no purge recorded
