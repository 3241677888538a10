"""Issue 15 item 3: a baseline records its run folder relative to the reports directory, so a
team store shared by machines with different checkouts finds it on each; rows written before
(an absolute path from another machine) still resolve by the run's folder name."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.compare.baseline import BaselineStore
from assurance_harness.store.database import SqliteDatabase

from ..report.runfixtures import toxicity_run


def _reports(root: Path) -> Path:
    reports = root / "reports"
    for run_id, toxic, day in (("n1", {1, 2}, 1), ("n2", {3, 4, 5}, 2)):
        toxicity_run(
            reports, run_id, toxic, max_rate=0.2, started_at=f"2026-11-0{day}T03:15:00+00:00",
            index=True,
        )  # fmt: skip
    return reports


def _stored_run_dir(reports: Path) -> str:
    with SqliteDatabase(reports / "runs.db").transaction() as conn:
        row = conn.execute("SELECT run_dir FROM baselines").fetchone()
    assert row is not None
    return str(row["run_dir"])


def test_a_baseline_stores_its_run_folder_relative_to_the_reports(tmp_path: Path) -> None:
    reports = _reports(tmp_path / "ci-runner-1")
    result = CliRunner().invoke(app, ["baseline", "set", "n1", "--reports", str(reports)])
    assert result.exit_code == 0, result.output
    assert _stored_run_dir(reports) == "n1"
    # Another machine: the same store and run folders under a different checkout path.
    moved = tmp_path / "laptop" / "reports"
    moved.parent.mkdir()
    shutil.move(str(reports), str(moved))
    result = CliRunner().invoke(app, ["compare", "baseline", "n2", "--reports", str(moved)])
    assert result.exit_code in (0, 1), result.output
    assert "n1" in result.output


def test_an_absolute_run_dir_from_another_machine_still_resolves(tmp_path: Path) -> None:
    reports = _reports(tmp_path)
    store = BaselineStore(reports / "runs.db")
    store.db.ensure_schema()
    with store.db.transaction() as conn:  # a row as earlier versions wrote it, elsewhere
        conn.execute(
            "INSERT INTO baselines (suite, target_name, run_id, run_dir, set_at) "
            "VALUES ('toxicity-core', 'staging', 'n1', '/home/ci/checkout/reports/n1', 'x')"
        )
    result = CliRunner().invoke(app, ["compare", "baseline", "n2", "--reports", str(reports)])
    assert result.exit_code in (0, 1), result.output
    assert "n1" in result.output
