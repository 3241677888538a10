"""A runs.db of 0 bytes beside run folders: cut short (a full disk, a failed copy), not new.

SQLite makes a database of an empty file, so every command read it as a store nothing had
been written to: "no baseline set", no review verdicts, agreement "none yet", exit 0, and the
next write made a fresh index over it. The baselines and verdicts it held were lost without a
word. Beside run folders it indexed, an empty runs.db is one line naming it and both fixes;
in a folder holding no run, it is a new store, as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli


def _reports_with_a_run(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    run = reports / "20261202T000000Z-tox-ab12"
    run.mkdir(parents=True)
    (run / "manifest.json").write_text("{}", encoding="utf-8")
    (reports / "runs.db").write_bytes(b"")
    return reports


@pytest.mark.parametrize(
    "args",
    [("runs", "list"), ("baseline", "check"), ("review", "queue"), ("review", "add-reviewer", "a")],
)
def test_an_empty_runs_db_beside_run_folders_is_one_line_naming_it(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    reports = _reports_with_a_run(tmp_path)
    proc = run_cli(*args, "--reports", "reports", cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "reports/runs.db" in lines[0] and "empty (0 bytes)" in lines[0], text
    assert "restore it from a copy" in lines[0] and "delete it" in lines[0], text
    assert (reports / "runs.db").stat().st_size == 0  # left as it was, for its owner to decide


def test_an_empty_runs_db_in_a_folder_without_runs_is_a_new_store(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "runs.db").write_bytes(b"")
    proc = run_cli("runs", "list", "--reports", "reports", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
