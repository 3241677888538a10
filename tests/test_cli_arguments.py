"""Arguments and settings from the process environment: every one a user can get wrong is one
line naming it and the fix, exit 2 (or 3 where the environment failed the command), never an
internal error, a traceback or exit 1 (issue 12)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import echo_project


@pytest.mark.parametrize("name", ["COLUMNS", "TERMINAL_WIDTH"])
def test_a_terminal_width_beyond_any_screen_is_ignored(tmp_path: Path, name: str) -> None:
    # Observed: COLUMNS=99999999999 assurance --help ended in 'internal error: MemoryError'
    # (the help panels are padded to the width), exit 3.
    started = time.monotonic()
    done = run_cli("--help", cwd=tmp_path, env={name: "99999999999", "TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout and len(done.stdout) < 2_000_000
    assert time.monotonic() - started < 20


@pytest.mark.parametrize(
    "args",
    [
        ["run", "", "--target", "t.yaml"],  # SUITES: an unset $SUITE
        ["run", "s.yaml", "--target", "t.yaml", "--reports", ""],
        ["validate", ""],
    ],
)
def test_an_empty_path_is_a_usage_error_not_this_folder(tmp_path: Path, args: list[str]) -> None:
    # Observed: 'assurance run "" --target t.yaml' (an unset variable) read '' as '.' and ran
    # every suite under the current folder, evidence and all; '--reports ""' wrote runs there.
    echo_project(tmp_path, suite="empty-path")
    done = run_cli(*args, cwd=tmp_path, env={"TMPDIR": str(tmp_path)})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "empty" in done.stderr and "internal error" not in done.stderr
    assert not any(p.name.startswith("2") for p in tmp_path.rglob("*") if p.is_dir())  # no run


@pytest.mark.parametrize("command", [["report"], ["compare", "a"]])
def test_a_run_id_too_long_for_a_file_name_is_a_short_usage_error(
    tmp_path: Path, command: list[str]
) -> None:
    # Observed: a 5,000-character run id was exit 3 ('the run failed') and a 5,000-character
    # line, 'error: xxxx...xxxx: File name too long'.
    done = run_cli(*command, "x" * 5000, cwd=tmp_path, env={"TMPDIR": str(tmp_path)})
    assert done.returncode == 2, done.stderr[:300]
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and len(lines[0]) < 300, done.stderr[:300]
    assert "too long" in lines[0] and "internal error" not in lines[0]


def test_a_utf8_argument_in_an_ascii_locale_says_how_to_read_it(tmp_path: Path) -> None:
    # Observed: with LC_ALL=C PYTHONUTF8=0, 'validate ünï.yaml' said the name 'is not UTF-8
    # text; rename the file', though it is UTF-8: Python decoded it as ASCII.
    done = run_cli("validate", "ünï.yaml", cwd=tmp_path, env={"LC_ALL": "C", "PYTHONUTF8": "0"})
    assert done.returncode == 2, done.stderr
    assert "is not UTF-8" not in done.stderr and "PYTHONUTF8=1" in done.stderr, done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["run", "s.yaml", "--target", "t.yaml", "--resume", "a\nb"],
        ["run", "a\nb.yaml", "--target", "t.yaml"],
        ["run", "s.yaml", "--target", "a\nb.yaml"],
        ["report", "a\nb"],
        ["validate", "a\nb.yaml"],
    ],
)
def test_a_newline_in_a_name_stays_inside_its_one_error_line(
    tmp_path: Path, args: list[str]
) -> None:
    # Observed: "--resume $'a\nb'" printed "error: no run 'a" and "error: b' in reports; see
    # 'assurance runs list'", which read as two errors; validate printed the name on two lines.
    echo_project(tmp_path, suite="newline-name")
    done = run_cli(*args, cwd=tmp_path, env={"TMPDIR": str(tmp_path)})
    assert done.returncode == 2, done.stderr
    problems = [line for line in done.stderr.splitlines() if "problem(s) in" not in line]
    assert len(problems) == 1, done.stderr
    assert "a\\nb" in problems[0], done.stderr
