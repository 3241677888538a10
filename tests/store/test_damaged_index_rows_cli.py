"""A row of runs.db with a missing figure or a value of the wrong type (the runs table takes
any SQLite value) is shown with the figure marked, or one line naming runs.db and the run
(exit 2), never an internal error (issue 12)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import echo_project


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A project with one real run in reports/runs.db; each test damages a copy."""
    project = echo_project(tmp_path_factory.mktemp("rows"), "rows")
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--no-evidence", "--no-report", cwd=project
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(project / "reports" / "runs.db") as conn:
        (run_id,) = conn.execute("SELECT run_id FROM runs").fetchone()
    return project, run_id


def _damage(project: Path, sql: str, *params: object) -> None:
    conn = sqlite3.connect(project / "reports" / "runs.db")
    with conn:
        conn.execute(sql, params)
    conn.close()


def _no_crash(proc: object) -> str:
    text = proc.stdout + proc.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in text and "internal error" not in text, text
    return str(text)


def test_a_null_gate_count_is_shown_as_missing(indexed: tuple[Path, str]) -> None:
    project, run_id = indexed
    _damage(project, "UPDATE runs SET gates_passed = NULL, n_errors = NULL")
    try:
        table = run_cli("runs", "list", cwd=project)
        text = _no_crash(table)
        assert table.returncode == 0, text
        line = next(row for row in text.splitlines() if run_id in row)
        assert "?/? passed" in line and "?/2" in line, line
        rows = run_cli("runs", "list", "--format", "json", cwd=project)
        assert rows.returncode == 0 and json.loads(rows.stdout)["gates_passed"] is None
    finally:
        _damage(project, "UPDATE runs SET gates_passed = 1, n_errors = 0")


@pytest.mark.parametrize("args", [("report", "RUN"), ("runs", "list"), ("compare", "RUN", "RUN")])
def test_a_run_dir_stored_as_bytes_is_one_line_naming_runs_db_and_the_run(
    indexed: tuple[Path, str], args: tuple[str, ...]
) -> None:
    project, run_id = indexed
    _damage(project, "UPDATE runs SET run_dir = ?", f"reports/{run_id}".encode())
    try:
        proc = run_cli(*(run_id if a == "RUN" else a for a in args), cwd=project)
        text = _no_crash(proc)
        assert proc.returncode == 2, text
        assert len(text.strip().splitlines()) == 1, text
        assert "reports/runs.db" in text and run_id in text and "run_dir" in text, text
    finally:
        _damage(project, "UPDATE runs SET run_dir = ?", run_id)
