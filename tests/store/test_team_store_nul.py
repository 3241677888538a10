"""A model's text holding NUL (U+0000) on its way into the PostgreSQL team store, whose TEXT
cannot hold it, beyond the review queue (``tests/review/test_review_queue_nul.py``): the model
version a target reports, and ``store migrate`` of an embedded store that holds NUL. Real runs
through the CLI on the throwaway cluster of ``tests/testing/postgres.py`` (skips without it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.review.store import ReviewStore
from assurance_harness.store.postgres import PostgresDatabase

from ..review.reviewkit import make_project
from ..review.test_review_queue_nul import NUL_ANSWER, SHOWN_ANSWER, _nul_project, _run
from ..testing.cli import run_cli

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
