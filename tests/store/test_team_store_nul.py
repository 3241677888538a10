"""A model's text holding NUL (U+0000) on its way into the PostgreSQL team store, whose TEXT
cannot hold it, beyond the review queue (``tests/review/test_review_queue_nul.py``): the model
version a target reports, and ``store migrate`` of an embedded store that holds NUL. Real runs
through the CLI on the throwaway cluster of ``tests/testing/postgres.py`` (skips without it)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from assurance_harness.review.store import ReviewStore
from assurance_harness.store.postgres import PostgresDatabase

from ..review.reviewkit import make_project
from ..review.test_review_queue_nul import NUL_ANSWER, SHOWN_ANSWER, _nul_project, _run
from ..testing.cli import one_line_refusal, run_cli

pytestmark = pytest.mark.slow


def test_a_model_version_with_a_nul_finishes_the_run_with_the_team_store(
    pg_url: str, tmp_path: Path
) -> None:
    """Was: exit 3 as the run was indexed ("PostgreSQL text fields cannot contain NUL"), and
    the same on every resume. Now the run finishes by its gate and is listed, its model version
    with the stand-in; summary.json keeps the exact text."""
    make_project(tmp_path)
    module = tmp_path / "helpers" / "review_target.py"
    text = module.read_text(encoding="utf-8")
    answer = 'return REPLIES[messages[-1]["content"].split(":")[0]]'
    assert answer in text
    module.write_text(
        text.replace(
            answer, answer.replace("return ", 'return {"model_version": "m\\x00v", "text": ') + "}"
        ),
        encoding="utf-8",
    )
    code, output, run_id = _run(tmp_path, "--store", pg_url)
    assert code == 1, output
    summary = json.loads((tmp_path / "reports" / run_id / "summary.json").read_text())
    assert summary["target"]["model_version"] == "m\x00v"
    listed = run_cli("--store", pg_url, "runs", "list", "-f", "json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["run_id"] == run_id and row["model_version"] == "m\u2400v"


def test_store_migrate_copies_a_queue_holding_a_nul_and_again_copies_nothing(
    pg_url: str, tmp_path: Path
) -> None:
    """An embedded store keeps NUL; was: ``store migrate`` of it refused by PostgreSQL (exit 2,
    nothing copied, no way forward). Now the queue is copied with the stand-in, and a second
    migrate finds the same rows (not "a different row")."""
    _nul_project(tmp_path)
    code, output, run_id = _run(tmp_path)
    assert code == 1, output
    embedded = ReviewStore(tmp_path / "reports" / "runs.db").queue(run_id)
    assert any(i.response == NUL_ANSWER for i in embedded)
    for _ in range(2):
        moved = run_cli("store", "migrate", "--to", pg_url, "--reports", "reports", cwd=tmp_path)
        assert moved.returncode == 0, moved.stdout + moved.stderr
    items = {i.row_key: i for i in ReviewStore(PostgresDatabase(pg_url)).queue(run_id)}
    assert items["c2#0"].response == SHOWN_ANSWER
    assert sorted(items) == sorted(i.row_key for i in embedded)


def _older_tools_verdict(reports: Path, note: str, reviewer: str = "alice") -> None:
    """A verdict as a tool older than the note check (``review.store.review_note``) wrote it,
    or a pasted note: appended to the embedded store, superseding the reviewer's last verdict
    (its triggers refuse UPDATE and DELETE, not INSERT). No command writes a NUL there today:
    the command line cannot carry one, and the form's is refused."""
    with closing(sqlite3.connect(reports / "runs.db")) as db, db:
        db.execute(
            "INSERT INTO review_verdicts (run_id, row_key, reviewer, decision, label, "
            "scorer_label, note, created_at, supersedes, ledger_ids) "
            "SELECT run_id, row_key, ?, decision, label, scorer_label, ?, created_at, id, '[]' "
            "FROM review_verdicts ORDER BY id DESC LIMIT 1",
            (reviewer, note),
        )


def _reviewed_project(root: Path) -> tuple[Path, str]:
    """The review project, run into the embedded store, with one verdict given by the CLI."""
    project = make_project(root)
    run_id = project.run().run_id
    done = run_cli("review", "adjudicate", run_id, "c2#0", "--agree", "--reviewer", "alice",
                   "--note", "fine", cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return project.reports, run_id


def test_store_migrate_copies_a_verdict_note_holding_a_nul_and_again_copies_nothing(
    pg_url: str, tmp_path: Path
) -> None:
    """Was: exit 2, "PostgreSQL text fields cannot contain NUL (0x00) bytes", naming neither
    the row nor the fix, and no way forward (verdicts are append-only). Now the note is copied
    with the stand-in, as a prompt is; a second migrate finds the same rows; the history says
    what ``␀`` stands for."""
    reports, run_id = _reviewed_project(tmp_path)
    _older_tools_verdict(reports, "pasted\x00note")
    for _ in range(2):
        moved = run_cli("store", "migrate", "--to", pg_url, "--reports", "reports", cwd=tmp_path)
        assert moved.returncode == 0, moved.stdout + moved.stderr
    notes = [v.note for v in ReviewStore(PostgresDatabase(pg_url)).history(run_id)]
    assert notes == ["fine", "pasted\u2400note"]
    shown = run_cli("--store", pg_url, "review", "history", "--run", run_id, cwd=tmp_path)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    text = " ".join(shown.stdout.split())
    assert "pasted\u2400note" in text and "NUL (U+0000) of a reviewer's note as \u2400" in text


def test_store_migrate_refuses_a_name_holding_a_nul_in_one_located_line(
    pg_url: str, tmp_path: Path
) -> None:
    """A name is a key (a reviewer's verdicts and token go by it): a stand-in would make it
    another name, so it is not copied as one. Was: PostgreSQL's own message, naming neither
    row nor fix. Now one line naming the store, table, row, column and fix; nothing copied."""
    reports, run_id = _reviewed_project(tmp_path)
    _older_tools_verdict(reports, "second", reviewer="bo\x00b")
    moved = run_cli("store", "migrate", "--to", pg_url, "--reports", "reports", cwd=tmp_path)
    line = one_line_refusal(moved)
    for part in ("runs.db", "review_verdicts", "'id': 2", "reviewer", "U+0000", "nothing was"):
        assert part in line, line
    assert ReviewStore(PostgresDatabase(pg_url)).history(run_id) == []
