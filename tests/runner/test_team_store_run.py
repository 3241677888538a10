"""``assurance run --store postgresql://...`` end to end: the run folder stays files, the run
index and the evidence live in the PostgreSQL team store, and ``evidence head|verify`` read them
there. A whole run (scorers loaded) takes seconds, hence ``slow``; skips without PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.store.postgres import PostgresDatabase

from ..register.test_team_ledger import GOLDEN, _cli, _rows

pytestmark = pytest.mark.slow


def test_a_run_with_a_team_store_keeps_its_index_and_evidence_there(
    pg_url: str, tmp_path: Path
) -> None:
    """``assurance run --store URL``: the run folder is files; index and evidence in PostgreSQL."""
    for name in ("suite.yaml", "target.yaml", "golden_bot.py"):
        shutil.copy(GOLDEN / name, tmp_path / name)
    done = _cli_in(tmp_path, "run", "suite.yaml", "--target", "target.yaml", "--store", pg_url)
    assert done.exit_code in (0, 1), done.output
    reports = tmp_path / "reports"
    assert not (reports / "runs.db").exists()
    assert not (reports / "evidence" / "ledger.jsonl").exists()
    (run_dir,) = [p.parent for p in reports.glob("*/summary.json")]
    with PostgresDatabase(pg_url).transaction() as conn:
        indexed = conn.execute("SELECT run_id FROM runs").fetchall()
    assert [r["run_id"] for r in indexed] == [run_dir.name]
    lines = _rows(pg_url)
    assert lines and all(json.loads(line)["run_id"] == run_dir.name for _, line in lines)
    listed = _cli_in(tmp_path, "--store", pg_url, "runs", "list", "-f", "json")
    assert json.loads(listed.output)["run_id"] == run_dir.name
    head = _cli_in(tmp_path, "--store", pg_url, "evidence", "head")
    assert json.loads(head.output)["seq"] == len(lines)
    verified = _cli_in(tmp_path, "--store", pg_url, "evidence", "verify")
    assert verified.exit_code == 0, verified.output


def _cli_in(cwd: Path, *args: str | Path) -> Any:
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        return _cli(*args)
    finally:
        os.chdir(previous)
