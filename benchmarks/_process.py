"""One child process measured whole: wall time, user + system CPU and peak RSS (``wait4``).

The start-up, streaming and peer benchmarks all time a fresh process the way a user runs it;
this is the one place that does it. The child's output is drained while it runs (a chatty
process never blocks on a full pipe) and its tail is kept for the error message.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

HARNESS_CLI = [sys.executable, "-m", "assurance_harness.cli"]
"""``assurance`` as this interpreter runs it."""


def measure_process(
    command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None
) -> dict[str, float]:
    """Run ``command`` to the end; return ``wall_s``, ``cpu_s``, ``rss_mb`` (of the child and
    its own children) and ``exit``. Exit 0 or 1 is a finished evaluation (1: a gate or test
    failed); any other code raises ``RuntimeError`` with the end of the output."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        tail = output.decode(errors="replace")[-3000:]
        raise RuntimeError(f"{command[0]} exited {code}:\n{tail}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "exit": code,
    }
