"""A limit past SQLite's 64-bit integers (``runs list --limit 99999999999999999999``) lists
every run; it was an OverflowError reported as an internal error (exit 3)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assurance_harness.store.index import RunIndex
from tests.testing.cli import invoke_in_process


def test_a_limit_larger_than_sqlite_integers_lists_every_run(tmp_path: Path) -> None:
    index = RunIndex(tmp_path / "runs.db")
    index.upsert({"run_id": "r1", "suite": "s", "status": "passed", "run_dir": str(tmp_path)})
    assert [r["run_id"] for r in index.list_runs(limit=10**20)] == ["r1"]


def test_runs_list_takes_a_huge_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    RunIndex(tmp_path / "runs.db").upsert(
        {"run_id": "r1", "suite": "s", "status": "passed", "run_dir": str(tmp_path)}
    )
    monkeypatch.chdir(tmp_path)
    result = invoke_in_process(
        ["runs", "list", "--reports", os.fspath(tmp_path), "--limit", "9" * 20, "-f", "json"]
    )
    assert result.exception is None and result.exit_code == 0, result.output
    assert '"run_id": "r1"' in result.output
