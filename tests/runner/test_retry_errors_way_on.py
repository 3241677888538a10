"""The way on printed while a ``--retry-errors`` has not begun must itself retry: a plain
``--resume`` of a finished run only says "already complete", so a command without the flag
leaves the run ``run_failed`` with its errors for good.

Observed before: a retry refused because runs.db could not be written (a full disk, a
read-only mount) printed "finish with: assurance run ... --resume RUN", without
``--retry-errors``; once the disk was fixed that command said the run "was already complete"
and nothing was retried. A second Ctrl-C before the retry was noted printed the same command.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..testing.cli import run_cli
from ..testing.plugins import installed_plugin
from ..testing.tmpfs import tmpfs
from .test_retry_errors import ERRORED, N_CASES, RUN, Invoke, cli, only_run, project

__all__ = ["cli"]  # the fixture, used by name


@contextmanager
def reports_that_go_read_only(folder: Path) -> Iterator[Callable[[bool], None]]:
    """``folder`` and a switch that makes it read-only (True) or writable again (False), for
    real: as root (whom file modes do not bind) a tmpfs remounted read-only, skipped where
    mounting is refused; otherwise the folder's mode."""
    if os.geteuid() != 0:
        folder.mkdir()

        def by_mode(read_only: bool) -> None:
            folder.chmod(0o555 if read_only else 0o755)

        try:
            yield by_mode
        finally:
            folder.chmod(0o755)
        return
    with tmpfs(folder, size="8m"):

        def by_mount(read_only: bool) -> None:
            mode = "ro" if read_only else "rw"
            done = subprocess.run(
                ["mount", "-o", f"remount,{mode}", str(folder)], capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr

        yield by_mount


def printed_command(output: str, after: str) -> list[str]:
    """The arguments of the ``assurance`` command printed after ``after`` (one line)."""
    found = re.search(re.escape(after) + r"(assurance run [^\n]*)", output)
    assert found is not None, output
    command = shlex.split(found.group(1))
    assert command[:2] == ["assurance", "run"]
    return command[1:]


def test_runs_db_read_only_before_a_retry_prints_a_command_that_retries(
    tmp_path: Path, cli: Invoke
) -> None:
    tmp = tmp_path / "p"
    tmp.mkdir()
    with reports_that_go_read_only(tmp / "r") as read_only:
        project(tmp)
        assert cli(tmp, *RUN).returncode == 3  # run_failed: 10 errored requests of 30
        run_id = only_run(tmp).name
        (tmp / "BROKEN").unlink()  # the outage is over

        read_only(True)
        refused = cli(tmp, *RUN, "--resume", run_id, "--retry-errors")
        assert refused.returncode == 3, refused.stdout
        assert "runs.db" in refused.stdout and "Traceback" not in refused.stdout
        again = printed_command(refused.stdout, "finish with: ")
        assert again[-3:] == ["--resume", run_id, "--retry-errors"], refused.stdout

        read_only(False)
        done = cli(tmp, *again)
        assert done.returncode == 0, done.stdout
        assert "retried 10 errored requests: 10 answered, 0 errors" in done.stdout
        assert "status passed" in done.stdout


PLUGIN = """\
import os, signal, time
from pathlib import Path

from assurance_harness.datatypes import GenerationResponse
from assurance_harness.targets.base import Target, TargetConnectionError, TargetSpec


class FlakySpec(TargetSpec):
    type: str = "flaky_stop"


class Flaky(Target):
    type = "flaky_stop"
    Spec = FlakySpec

    def check_cases(self, conversations):
        # Ctrl-C twice while the retry is prepared (the cases checked, before it is noted):
        # the second one forces the stop.
        if (Path.cwd() / "STOP").exists():
            for _ in range(2):
                try:
                    os.kill(os.getpid(), signal.SIGINT)
                    time.sleep(5)
                except KeyboardInterrupt:
                    pass

    async def generate(self, request):
        case = request.case_id
        if (Path.cwd() / "BROKEN").exists() and int(case[1:]) % 3 == 1:
            raise TargetConnectionError("connection reset by peer")
        return GenerationResponse(text="ok " + request.messages[-1]["content"])
"""


def test_a_forced_stop_before_a_retry_is_noted_prints_a_command_that_retries(
    tmp_path: Path,
) -> None:
    env = installed_plugin(
        tmp_path,
        "flaky_stop",
        {"flaky_stop": PLUGIN},
        "[assurance_harness.targets]\nflaky_stop = flaky_stop:Flaky\n",
    )
    project(tmp_path)  # its suite and BROKEN; the target is the plugin's
    (tmp_path / "t.yaml").write_text("type: flaky_stop\n")
    env = {**env, "COLUMNS": "300"}
    first = run_cli(*RUN, cwd=tmp_path, env=env, timeout=120)
    assert first.returncode == 3 and "status run_failed" in first.stdout, first.stdout
    run_id = only_run(tmp_path).name
    (tmp_path / "BROKEN").unlink()

    (tmp_path / "STOP").touch()
    stopped = run_cli(
        *RUN, "--resume", run_id, "--retry-errors", cwd=tmp_path, env=env, ctrl_c=True
    )
    assert stopped.returncode == 130, stopped.stderr
    assert "forced to stop" in stopped.stderr and "Traceback" not in stopped.stderr
    again = printed_command(stopped.stderr, "continue with: ")
    assert again[-3:] == ["--resume", run_id, "--retry-errors"], stopped.stderr

    (tmp_path / "STOP").unlink()
    done = run_cli(*again, cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert f"retried {len(ERRORED)} errored requests: {len(ERRORED)} answered, 0 errors" in output
    assert f"{N_CASES}" in output
