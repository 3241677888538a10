"""A run killed part-way (no summary.json yet) named by its folder's path, as CI scripts do
(``assurance compare baseline reports/$RUN``). By its id it was "has not finished ... --resume
ID"; by its path, "run 'reports/<id>' not found (looked in reports/ and its index); recent runs:
...", which sent the user looking for a folder that is there. Now the path gets the id's line."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.testing.cli import cli_command, one_line_refusal, run_cli
from tests.testing.project import callable_target, echo_runs
from tests.testing.signals import default_sigint

SLOW = "import time\n\ndef reply(messages):\n    time.sleep(60)\n    return 'echo'\n"


def _killed_run(root: Path) -> Path:
    """A run of ``root``'s suite against a target that never answers, killed once begun."""
    target = callable_target(root, "unfinished_slow", SLOW, "slow.yaml")
    before = set((root / "reports").iterdir())
    proc = subprocess.Popen(
        cli_command("run", "s.yaml", "--target", target, "--no-report", "--no-cache"),
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=default_sigint,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        made = [p for p in set((root / "reports").iterdir()) - before if (p / "run.json").exists()]
        if made:
            time.sleep(0.5)  # past the run folder's making, into the requests
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            (run,) = made
            assert not (run / "summary.json").exists()
            return run
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the run never got going")


def test_an_unfinished_run_named_by_its_path_says_so(tmp_path: Path) -> None:
    (done,) = echo_runs(tmp_path, "unfinished-path")
    unfinished = _killed_run(tmp_path)
    for ref in (unfinished.relative_to(tmp_path), unfinished):
        for args in (("compare", done, ref), ("evidence", "attach", ref), ("report", ref)):
            line = one_line_refusal(run_cli(*args, cwd=tmp_path, timeout=60))
            assert "has not finished (no summary.json)" in line, (args, line)
            assert f"--resume {unfinished.name}" in line and "not found" not in line, line


def test_a_folder_that_is_no_run_is_named_as_such(tmp_path: Path) -> None:
    (done,) = echo_runs(tmp_path, "not-a-run")
    (tmp_path / "notes").mkdir()
    line = one_line_refusal(run_cli("compare", done, "notes", cwd=tmp_path, timeout=60))
    assert line.startswith("error: notes: a folder, but not a run's (no summary.json)"), line
