"""Issue 15 item 3: a run index that exists but cannot be read (the team store unreachable, a
damaged runs.db) is one clear error, never a silent scan of run folders instead: a scan finds
only this machine's folders, so every answer would be silently different from the team's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.compare.runs import suite_runs
from assurance_harness.store.postgres import StoreError
from assurance_harness.store.runread import resolve_run

DOWN = "postgresql://nobody@127.0.0.1:1/assurance?password_env=REVIEW_TEST_PW"


def _run_folder(reports: Path, run_id: str = "20261202T000000Z-tox-ab12") -> Path:
    run_dir = reports / run_id
    run_dir.mkdir(parents=True)
    summary = {
        "run_id": run_id,
        "suite": {"name": "tox", "version": "1"},
        "target": {"name": "demo"},
        "started_at": "2026-12-02T00:00:00+00:00",
    }
    (run_dir / "summary.json").write_text(json.dumps(summary))
    (run_dir / "manifest.json").write_text("{}")
    return run_dir


@pytest.fixture
def store_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSURANCE_STORE", DOWN)
    monkeypatch.setenv("REVIEW_TEST_PW", "x")


def test_an_unreachable_team_store_is_an_error_not_a_folder_scan(
    tmp_path: Path, store_down: None
) -> None:
    run_dir = _run_folder(tmp_path)
    with pytest.raises(StoreError, match="cannot connect to the store"):
        resolve_run(run_dir.name[:12], tmp_path)
    with pytest.raises(StoreError, match="cannot connect to the store"):
        suite_runs(tmp_path, "tox")
    # A run folder named by its path needs no index.
    assert resolve_run(str(run_dir), tmp_path) == run_dir


def test_a_damaged_runs_db_is_an_error_that_names_it(tmp_path: Path) -> None:
    run_dir = _run_folder(tmp_path)
    (tmp_path / "runs.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"runs\.db: the run index cannot be read"):
        resolve_run(run_dir.name, tmp_path)
    with pytest.raises(StoreError, match=r"runs\.db: the run index cannot be read"):
        suite_runs(tmp_path, "tox")


def test_runs_list_with_the_store_down_exits_with_one_line(
    tmp_path: Path, store_down: None
) -> None:
    from typer.testing import CliRunner

    from assurance_harness.cli import app

    result = CliRunner().invoke(app, ["runs", "list", "--reports", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "cannot connect to the store" in result.output
    assert "Traceback" not in result.output


def test_the_web_app_says_the_store_is_down(tmp_path: Path, store_down: None) -> None:
    """Every page: a 503 naming the store, not a 404 for the run or an empty list."""
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    from assurance_harness.ui.app import Settings, make_app

    run_dir = _run_folder(tmp_path)
    settings = Settings(tmp_path, tmp_path / "register.yaml", tmp_path / "ledger.jsonl", "alice")

    async def fetch(path: str) -> tuple[int, str]:
        async with TestClient(TestServer(make_app(settings))) as client:
            response = await client.get(path, headers={"Host": "127.0.0.1:8765"})
            return response.status, await response.text()

    for path in ("/", f"/runs/{run_dir.name}", "/review"):
        status, text = asyncio.run(fetch(path))
        assert status == 503, (path, status, text[:200])
        assert "cannot connect to the store" in text
