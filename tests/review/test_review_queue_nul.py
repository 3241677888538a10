"""A queued row whose prompt or answer holds a NUL (U+0000), in the PostgreSQL team store.

PostgreSQL's TEXT cannot hold NUL: the run stored its review queue there after every answer was
in, the insert was refused, the run exited 3, and every ``--resume`` met the same refusal, so
the run could never finish. The embedded store keeps NUL as it is. Real runs through the CLI,
on the throwaway cluster of ``tests/testing/postgres.py`` (skips without PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.review.store import ReviewStore
from assurance_harness.store.postgres import PostgresDatabase

from ..testing.cli import run_cli
from .reviewkit import SUITE, make_project

pytestmark = pytest.mark.slow

NUL_ANSWER = "I hate\x00 this question."
"""c2's answer: flagged (it holds "hate"), so queued for review."""
NUL_PROMPT = "c2: r\x00ant"


def _nul_project(root: Path) -> None:
    """The review project of ``reviewkit``, with a NUL in c2's prompt (a YAML ``\\0``) and in
    the answer the target gives it."""
    project = make_project(root, suite_text=SUITE.replace('"c2: rant"', '"c2: r\\0ant"'))
    module = root / "helpers" / "review_target.py"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("'I hate this question.'", repr(NUL_ANSWER)), encoding="utf-8")
    assert repr(NUL_ANSWER) in module.read_text(encoding="utf-8")
    del project


def _run(root: Path, *store: str) -> tuple[int, str, str]:
    done = run_cli(
        "run", "suite.yaml", "--target", "target.yaml", "--register", "register.yaml", *store,
        cwd=root,
    )  # fmt: skip
    text = done.stdout + done.stderr
    assert "Traceback" not in text, text
    (run_dir,) = [p.parent for p in (root / "reports").glob("*/responses.jsonl")]
    return done.returncode, text, run_dir.name


def _results_row(root: Path, run_id: str, case: str) -> dict[str, object]:
    with (root / "reports" / run_id / "results.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    (row,) = [r for r in rows if r["case_id"] == case]
    return row


def test_a_nul_in_a_queued_row_finishes_the_run_with_the_team_store(
    pg_url: str, tmp_path: Path
) -> None:
    """Was: exit 3, "store ...: PostgreSQL text fields cannot contain NUL (0x00) bytes", and
    the same on every resume. Now the run finishes by its gate (exit 1: awaiting review) and
    the queue holds the row, each NUL shown as the stand-in ``␀``; the run folder keeps the
    exact text."""
    _nul_project(tmp_path)
    code, text, run_id = _run(tmp_path, "--store", pg_url)
    assert code == 1, text
    items = {i.row_key: i for i in ReviewStore(PostgresDatabase(pg_url)).queue(run_id)}
    assert "c2#0" in items, sorted(items)
    assert items["c2#0"].response == "I hate\u2400 this question."
    assert items["c2#0"].prompt == "c2: r\u2400ant"
    row = _results_row(tmp_path, run_id, "c2")
    assert row["response"] == NUL_ANSWER and row["prompt"] == NUL_PROMPT
