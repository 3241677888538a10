"""Ctrl-C while the run folder's disk is full: counting what the journal holds (its index is
spilled into the run folder) fails too, and that failure must still say what failed and how
to finish the run, and the command it gives must finish it once there is room.

Observed before: a run whose reports folder (a 1 MB tmpfs) filled up while it sent, then
Ctrl-C, ended with the one line "error: a temporary file in <run folder>: No space left on
device": no resume command, and the journal's own failure, the one that stopped the run, not
named. Here the disk is full from the moment the target answers request ``STOP_AT``, at the
lowest writes (a spill file's ``pwrite``, the journal's ``fsync``), and the target process
sends itself SIGINT: a real Ctrl-C, where the tester's timing put it."""

from __future__ import annotations

import errno
import json
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from assurance_harness.store import spill

from ..testing.cli import invoke_in_process
from ..testing.signals import default_sigint

N_CASES = 12
STOP_AT = 4
"""The request during which the disk fills (and, unless the journal fails first, Ctrl-C
arrives)."""

TARGET = """\
import os, signal, time
from pathlib import Path


def reply(messages, case_id):
    here = Path(__file__).parent
    if case_id == "c{stop:03d}" and not (here / "FILLED").exists():
        (here / "FILLED").touch()  # once
        (here / "FULL").touch()  # the disk fills up
        if not (here / "JOURNAL_FAILS").exists():
            os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C
        time.sleep(1)  # past the journal's fsync interval: its next record is synced
    return "ok " + messages[-1]["content"]
"""

RUN = ["run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report", "--no-cache"]


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Path:
    """A 12-case suite whose target fills the disk at request ``STOP_AT``: from then on, while
    ``FULL`` exists, writing a spill file in the run folder fails with ENOSPC, and so does the
    journal's fsync (the second time, as the run handles the first, Ctrl-C arrives)."""
    module = f"fills_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(TARGET.format(stop=STOP_AT))
    (tmp_path / "t.yaml").write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: [.]\nconcurrency: 1\n"
    )
    cases = "".join(f"  - {{id: c{i:03d}, prompt: 'question {i}'}}\n" for i in range(N_CASES))
    (tmp_path / "s.yaml").write_text(
        "suite: fills\ncases:\n" + cases + "scorers: [{id: len, use: length}]\n"
        "metrics: [{id: words, mean: len.words}]\ngates: [{metric: words, min: 1}]\n"
    )
    full = tmp_path / "FULL"
    real_write, real_fsync = spill.TempFile._write, os.fsync

    def write(self: spill.TempFile, data: bytes | memoryview, offset: int) -> None:
        if full.exists() and self.folder is not None:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, data, offset)

    failed_syncs = []

    def fsync(fd: int) -> None:
        if full.exists() and (tmp_path / "JOURNAL_FAILS").exists():
            failed_syncs.append(fd)
            if len(failed_syncs) == 2:  # the run closes the journal it failed to write
                os.kill(os.getpid(), signal.SIGINT)
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    # The target's SIGINT is a KeyboardInterrupt here however the test run was started (a
    # background job starts with SIGINT ignored, and Python then installs no handler).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    monkeypatch.setattr(spill.TempFile, "_write", write)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("journal_fails", "first_line"),
    [
        (False, "cannot write a temporary file in {run}: No space left on device"),
        (True, "cannot write {run}/responses.jsonl: No space left on device"),
    ],
    ids=["counting-the-journal-fails", "the-journal-failed-first"],
)
def test_ctrl_c_on_a_full_disk_names_what_failed_and_the_command_that_finishes_the_run(
    project: Path, journal_fails: bool, first_line: str
) -> None:
    if journal_fails:
        (project / "JOURNAL_FAILS").touch()
    stopped = invoke_in_process(RUN)
    assert stopped.exit_code == 3, stopped.output
    (run_dir,) = [p.parent for p in (project / "r").glob("*/run.json")]
    errors = [line for line in stopped.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, stopped.output
    assert errors[0].startswith("error: " + first_line.format(run=Path("r") / run_dir.name))
    found = re.fullmatch(
        rf"error: the responses so far are saved in run {run_dir.name}; after fixing this, "
        r"continue with: (assurance run .*)",
        errors[1],
    )
    assert found is not None, stopped.output
    again = shlex.split(found.group(1))[1:]
    assert again[-2:] == ["--resume", run_dir.name]

    (project / "FULL").unlink()  # room made
    done = invoke_in_process(again)
    assert done.exit_code == 0, done.output
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["counts"]["requests"] == N_CASES and summary["counts"]["errors"] == 0


DRIVER = """\
import errno, os, signal, sys
from pathlib import Path

from assurance_harness.store import spill

real_write = spill.TempFile._write


def write(self, data, offset):
    if Path("FULL").exists() and self.folder is not None:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C again, as the stop meets the full disk
        raise OSError(errno.ENOSPC, "No space left on device")
    real_write(self, data, offset)


spill.TempFile._write = write
from assurance_harness.cli import main

sys.argv = ["assurance", *sys.argv[1:]]
main()
"""


def test_a_second_ctrl_c_as_the_stop_meets_the_full_disk_still_says_how_to_continue(
    project: Path,
) -> None:
    """The second interrupt forces the stop (``runner.forcestop``) with the resume command,
    in a process of its own: a forced stop ends the process at once. (Passed before the fix
    too: a guard, not the defect.)"""
    (project / "drive.py").write_text(DRIVER)
    env = {**os.environ, "COLUMNS": "300"}
    done = subprocess.run(
        [sys.executable, "drive.py", *RUN], cwd=project, env=env, capture_output=True,
        text=True, timeout=120, preexec_fn=default_sigint,
    )  # fmt: skip
    assert done.returncode == 130, done.stdout + done.stderr
    (run_dir,) = [p.parent for p in (project / "r").glob("*/run.json")]
    found = re.search(
        rf"forced to stop .* saved in run {run_dir.name}; continue with: (assurance run .*)",
        done.stderr,
    )
    assert found is not None and "Traceback" not in done.stderr, done.stderr
    (project / "FULL").unlink()
    finished = invoke_in_process(shlex.split(found.group(1))[1:])
    assert finished.exit_code == 0, finished.output
