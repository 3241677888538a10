"""A run index (runs.db) whose row for a run names another run's folder. Observed: every
command that takes a run id followed the row: 'report r-1' wrote r-0's report, 'compare r-0
r-1' compared r-0 with itself ("unchanged", exit 0); 'review status r-1' measured r-0, and
'review adjudicate' would record a verdict under r-1 hashing r-0's files. The folder the
index names must hold the run asked for; otherwise one line names the index, exit 2."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.report.runfixtures import toxicity_run
from tests.testing.cli import run_cli


@pytest.mark.parametrize(
    "args",
    [
        ("report", "r-1", "-o", "out"),
        ("compare", "r-0", "r-1"),
        ("review", "status", "r-1"),
        ("review", "adjudicate", "r-1", "tox-001#0", "--agree", "--reviewer", "erin"),
    ],
    ids=["report", "compare", "review status", "review adjudicate"],
)
def test_an_index_row_naming_another_runs_folder_is_refused(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    reports = tmp_path / "reports"
    toxicity_run(reports, "r-0", {1}, n_cases=10, index=True)
    toxicity_run(reports, "r-1", {1, 2, 3}, n_cases=10, index=True)
    with sqlite3.connect(reports / "runs.db") as db:
        db.execute("UPDATE runs SET run_dir = 'r-0' WHERE run_id = 'r-1'")
    db.close()

    done = run_cli(*args, "--reports", reports, cwd=tmp_path, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "runs.db" in lines[0] and "r-0" in lines[0], done.stderr
