"""A finished run whose files were replaced by hand: its summary.json a symbolic link that
leads nowhere (``ln -s summary.json summary.json``, a loop), or its whole folder a plain file.
Each is named as what it is, with a way on that can help: not "has not finished" (the run did;
its run.json says so) nor "no longer there" (something is there)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.testing.cli import one_line_refusal, run_cli
from tests.testing.project import echo_runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A project with one finished, indexed run."""
    root = tmp_path_factory.mktemp("replaced")
    (run,) = echo_runs(root, "folder-replaced", count=1)
    return root, run.name


@pytest.mark.parametrize("target", ["summary.json", "/nonexistent/summary.json"])
def test_a_summary_that_is_a_link_to_nowhere_is_named_damaged(runs, target: str) -> None:
    root, run_id = runs
    summary = root / "reports" / run_id / "summary.json"
    kept = summary.read_bytes()
    summary.unlink()
    summary.symlink_to(target)
    try:
        line = one_line_refusal(run_cli("report", run_id, cwd=root, timeout=60))
    finally:
        summary.unlink()
        summary.write_bytes(kept)
    assert "has not finished" not in line, line
    assert f"reports/{run_id}/summary.json: a symbolic link that leads nowhere" in line, line
    assert "the run directory is damaged" in line and "put the file back" in line, line


def test_a_run_folder_replaced_by_a_file_is_named_a_file(runs) -> None:
    root, run_id = runs
    folder = root / "reports" / run_id
    aside = root / "aside"
    shutil.move(folder, aside)
    folder.write_text("not a folder\n", encoding="utf-8")
    try:
        line = one_line_refusal(run_cli("report", run_id, cwd=root, timeout=60))
    finally:
        folder.unlink()
        shutil.move(aside, folder)
    assert "no longer there" not in line, line
    assert f"its folder reports/{run_id} is a file, not a folder;" in line, line
    assert "moved or deleted" not in line, line
