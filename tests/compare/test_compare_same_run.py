"""A run compared with itself: every metric is "unchanged" by construction, and the command
said nothing (exit 0), so a CI step whose baseline was set to the run it checks passed without
testing anything. The verdict stands (it is true), with a warning that says what it means."""

from __future__ import annotations

from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs


def test_a_run_compared_with_itself_is_said_to_be_one_run(tmp_path: Path) -> None:
    (done,) = echo_runs(tmp_path, "same-run")
    for other in (done, done.name, done.name[:-1]):  # its path, its id, a prefix of it
        result = run_cli("compare", done, other, cwd=tmp_path, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        text = result.stdout + result.stderr
        assert f"the baseline and the candidate are one run ({done.name})" in text, text
