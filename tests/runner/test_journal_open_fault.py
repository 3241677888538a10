"""A journal that cannot be made (no inode left on the reports disk) is a storage fault like any
other before a response is recorded: exit 3, one line naming responses.jsonl, the way on, and
no half-made run folder left behind (as when its cases or run.json cannot be written). It sat
outside the handlers that say the way on: the run folder stayed, listed as interrupted, and
nothing said how to go on."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import replay_project
from tests.testing.tmpfs import tmpfs


def _project(folder: Path) -> None:
    replay_project(folder, "journal-open")


def test_a_journal_that_cannot_be_made_leaves_no_run_and_says_run_again(tmp_path: Path) -> None:
    _project(tmp_path)
    # Five inodes: the root, the run folder, cases.jsonl, run.json; none for responses.jsonl.
    with tmpfs(tmp_path / "r", inodes=5) as reports:
        done = run_cli(
            "run", "run.yaml", "--target", "replay.yaml", "--reports", reports, "--no-report",
            cwd=tmp_path, timeout=120,
        )  # fmt: skip
        left = sorted(p.name for p in reports.iterdir())
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2, done.stderr  # what failed, then the way on
    assert errors[0].startswith(f"error: cannot write {reports}/"), errors
    assert errors[0].endswith("/responses.jsonl: No space left on device"), errors
    assert "run again" in errors[1], errors
    assert left == [], left  # nothing was recorded: no run folder to explain or resume


@contextmanager
def _read_only(path: Path) -> Iterator[None]:
    """``path`` made read-only: by its mode, and for root (whom modes do not stop) immutable."""
    path.chmod(0o444)
    immutable = False
    if os.access(path, os.W_OK):
        if shutil.which("chattr") is None:
            pytest.skip("root ignores file modes, and there is no chattr")
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"root ignores file modes, and chattr +i failed: {done.stderr.strip()}")
        immutable = True
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
        path.chmod(0o644)


def test_a_resume_whose_journal_cannot_be_opened_says_how_to_continue(tmp_path: Path) -> None:
    _project(tmp_path)
    run = ("run", "run.yaml", "--target", "replay.yaml", "--reports", "r", "--no-report")
    first = run_cli(*run, cwd=tmp_path, timeout=120)
    assert first.returncode == 0, first.stderr
    (folder,) = (tmp_path / "r").glob("*-journal-open-*")
    (folder / "summary.json").unlink()  # as if stopped before it finished
    journal = folder / "responses.jsonl"
    journal.write_bytes(b"".join(journal.read_bytes().splitlines(keepends=True)[:-1]))
    with _read_only(journal):
        done = run_cli(*run, "--resume", folder.name, cwd=tmp_path, timeout=120)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2, done.stderr  # what failed, then the way on
    named = f"error: cannot write r/{folder.name}/responses.jsonl: "  # --reports r, as given
    assert errors[0].startswith(named), errors
    assert f"--resume {folder.name}" in errors[1], errors
