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

import pytest

from tests.testing.cli import cli_command, run_cli
from tests.testing.project import SUITE, echo_project


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


def _two_suites(root: Path, module: str) -> None:
    """``root/suites`` holding two passing suites, run by ``root/t.yaml``."""
    echo_project(root, suite=module)
    (root / "suites").mkdir()
    for name in ("one", "two"):
        (root / "suites" / f"{name}.yaml").write_text(SUITE.format(name=name), encoding="utf-8")


def test_a_closed_stdout_pipe_stops_no_suite_of_a_directory_run(tmp_path: Path) -> None:
    _two_suites(tmp_path, "pipe-out")
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


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "internal error" not in lines[0], stderr
    return lines[0]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_stdout_is_exit_3_naming_it_and_stops_no_suite(tmp_path: Path) -> None:
    # Observed: 'cannot read or write a file: No space left on device' (which file?), and the
    # suites after the first were never run: the error ended the directory run at its table.
    _two_suites(tmp_path, "full-out")
    err = tmp_path / "stderr.txt"
    with err.open("wb") as errors, open("/dev/full", "wb") as full:
        done = _run_with(
            ["run", "suites", "--target", "t.yaml", "--reports", "reports", "--no-report"],
            tmp_path,
            stdout=os.dup(full.fileno()),
            stderr=os.dup(errors.fileno()),
        )
    text = err.read_text(encoding="utf-8")
    assert done.returncode == 3, text
    assert _statuses(tmp_path / "reports") == ["passed", "passed"], text
    line = _one_error_line("\n".join(x for x in text.splitlines() if x.startswith("error")))
    assert "standard output" in line and "No space left on device" in line


def test_a_closed_stdout_is_exit_3_naming_it(tmp_path: Path) -> None:
    # Observed: 'assurance --version >&-' printed nothing and exited 0.
    done = subprocess.run(
        cli_command("--version"),
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert done.returncode == 3, done.stderr
    assert "standard output" in _one_error_line(done.stderr)


def test_text_the_terminal_cannot_encode_is_escaped(tmp_path: Path) -> None:
    # Observed: PYTHONIOENCODING=ascii (or latin-1) and a suite named 'sü日' ended the run's
    # summary in 'internal error: UnicodeEncodeError ... (a bug in assurance-harness ...)'.
    echo_project(tmp_path, suite="enc-ascii")
    suite = tmp_path / "s.yaml"
    suite.write_text(
        suite.read_text(encoding="utf-8").replace("suite: ", "suite: sü日-", 1), encoding="utf-8"
    )
    done = run_cli(
        *("run", "s.yaml", "--target", "t.yaml", "--reports", "reports", "--no-report"),
        cwd=tmp_path,
        env={"PYTHONIOENCODING": "ascii", "TMPDIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert "\\u65e5" in done.stdout  # 日, escaped as the stream cannot write it
