"""``evidence verify`` on a team store edited by hand (a ledger row rewritten, a review verdict
rewritten, each with its append-only trigger disabled): every problem it reports names where it
is, the store's table and row, as its summary line does. It named ``reports/evidence/
ledger.jsonl:1`` and "in runs.db", files the team store never writes, so whoever followed the
report to the record found nothing there.

Real subprocesses against the throwaway cluster of ``tests/testing/postgres.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.store.postgres import PostgresDatabase

from ..runner.test_team_store_kill import _project
from ..testing.cli import run_cli
from .test_team_ledger import _tamper

pytestmark = pytest.mark.slow


def _rewrite_verdicts(url: str) -> None:
    """What the database's owner could do past the append-only trigger: rewrite verdict #1,
    delete verdict #2."""
    trigger = "review_verdicts_append_only"
    with PostgresDatabase(url).transaction() as conn:
        conn.execute(f"ALTER TABLE review_verdicts DISABLE TRIGGER {trigger}")
        conn.execute("UPDATE review_verdicts SET decision = 'correct', label = 0 WHERE id = 1")
        conn.execute("DELETE FROM review_verdicts WHERE id = 2")
        conn.execute(f"ALTER TABLE review_verdicts ENABLE TRIGGER {trigger}")


def test_verify_names_the_team_stores_rows_where_it_found_tampering(
    pg_url: str, tmp_path: Path
) -> None:
    _project(tmp_path)
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--store", pg_url, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = [p.parent for p in (tmp_path / "reports").glob("*/summary.json")]
    env = {"ASSURANCE_REVIEWER": "alice"}
    for row in ("c00#0", "c03#0"):
        given = run_cli(
            "--store", pg_url, "review", "adjudicate", run_dir.name, row, "--agree",
            cwd=tmp_path, env=env,
        )  # fmt: skip
        assert given.returncode == 0, given.stdout + given.stderr
    _tamper(pg_url, "UPDATE evidence_ledger SET line = replace(line, '\"pass\"', '\"fail\"')")
    _rewrite_verdicts(pg_url)

    verified = run_cli("--store", pg_url, "evidence", "verify", cwd=tmp_path)
    text = verified.stdout + verified.stderr
    assert verified.returncode == 1, text
    where = PostgresDatabase(pg_url).where
    tampered = [line for line in verified.stderr.splitlines() if line.startswith("tampered: ")]
    assert len(tampered) == 2, text
    assert tampered[0].startswith(f"tampered: {where} (evidence_ledger):1 (EV-000001): edited")
    assert tampered[1].startswith(f"tampered: {where} (evidence_ledger): review_unbacked")
    assert f"in {where} (review_verdicts) differs" in tampered[1], tampered[1]
    assert f"has no verdict in {where} (review_verdicts)" in verified.stderr, text  # #2's
    assert "ledger.jsonl" not in text and "runs.db" not in text, text

    status = run_cli("--store", pg_url, "review", "status", run_dir.name, cwd=tmp_path)
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"in {where} (review_verdicts) differs" in status.stderr, status.stderr
    assert "runs.db" not in status.stdout + status.stderr
