"""Standard output and error that cannot be written end no command early, in a traceback or
in exit 1 (the code CI reads as "a gate failed"), and lose no run (issue 12).

Observed: with stdout a pipe whose reader had gone (``assurance run suites/ | head -1``),
click's own handler ended the process at the first write with exit 1 and no word: the suites
after the first were never run. With stderr such a pipe (``2>&1 | head -1``), the first
progress line ended the run the same way, its status left ``running``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.testing.cli import cli_command
from tests.testing.project import echo_project


def _closed_pipe() -> int:
    """The write end of a pipe whose reader has gone: every write to it fails with EPIPE."""
    read, write = os.pipe()
    os.close(read)
    return write


def _run_with(
    args: list[str], cwd: Path, *, stdout: int, stderr: int
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            cli_command(*args), cwd=cwd, stdout=stdout, stderr=stderr, timeout=120
        )
    finally:
        for fd in (stdout, stderr):
            if fd >= 0:
                os.close(fd)


def _statuses(reports: Path) -> list[str]:
    return sorted(
        json.loads((d / "run.json").read_text(encoding="utf-8"))["status"]
        for d in reports.iterdir()
        if (d / "run.json").is_file()
    )


def test_a_closed_stdout_pipe_stops_no_suite_of_a_directory_run(tmp_path: Path) -> None:
    echo_project(tmp_path, suite="pipe-out")
    (tmp_path / "suites").mkdir()
    for name in ("one", "two"):
        text = (tmp_path / "s.yaml").read_text(encoding="utf-8").replace("pipe-out", name)
        (tmp_path / "suites" / f"{name}.yaml").write_text(text, encoding="utf-8")
    err = tmp_path / "stderr.txt"
    with err.open("wb") as errors:
        done = _run_with(
            ["run", "suites", "--target", "t.yaml", "--reports", "reports", "--no-report"],
            tmp_path,
            stdout=_closed_pipe(),
            stderr=os.dup(errors.fileno()),
        )
    text = err.read_text(encoding="utf-8")
    assert done.returncode == 0, (
        text
    )  # both suites pass their gates: the reader's going is no fault
    assert _statuses(tmp_path / "reports") == ["passed", "passed"], text
    assert "Traceback" not in text and "Exception ignored" not in text, text


def test_a_closed_stderr_pipe_lets_the_run_finish(tmp_path: Path) -> None:
    echo_project(tmp_path, suite="pipe-err")
    done = _run_with(
        ["run", "s.yaml", "--target", "t.yaml", "--reports", "reports", "--no-report"],
        tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=_closed_pipe(),
    )
    assert done.returncode == 0
    assert _statuses(tmp_path / "reports") == ["passed"]


def test_help_into_a_closed_pipe_is_exit_0_without_a_word(tmp_path: Path) -> None:
    err = tmp_path / "stderr.txt"
    with err.open("wb") as errors:
        done = _run_with(
            ["--help"], tmp_path, stdout=_closed_pipe(), stderr=os.dup(errors.fileno())
        )
    assert done.returncode == 0, err.read_text()
    assert err.read_text() == ""
