"""A connection pool larger than the process may open files: each connection is a file
descriptor, and a Linux shell's default soft limit (``ulimit -n``) is 1024, often less in
containers. Past it every further connection failed with ``[Errno 24] Too many open files``,
recorded as the endpoint's ``connection_error`` ("after fixing the target, retry"): the run
failed for a cause that was the machine's, not the model's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.testing.cli import cli_command
from tests.testing.openai_stub import ThreadedServer, echo_handler

resource = pytest.importorskip("resource")  # POSIX

CONCURRENCY = 300
LIMITED = 100
"""The child's soft limit on open files: fewer than ``CONCURRENCY`` connections."""


def _project(root: Path, base_url: str) -> Path:
    cases = "".join(f"  - {{id: c{i}, prompt: 'p{i}'}}\n" for i in range(400))
    (root / "s.yaml").write_text(
        "suite: fds\ncases:\n" + cases + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
        "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n",
        encoding="utf-8",
    )
    (root / "t.yaml").write_text(
        f"type: openai\nbase_url: {base_url}\nmodel: m\nconcurrency: {CONCURRENCY}\n",
        encoding="utf-8",
    )
    return root


def _run_limited(root: Path, soft: int, hard: int) -> tuple[int, str]:
    """``assurance run`` in a child whose open-file limits are (soft, hard)."""
    import subprocess

    start = (
        "import os, resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({soft}, {hard})); "
        "os.execv(sys.executable, sys.argv[1:])"
    )
    command = cli_command("run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report")
    done = subprocess.run(
        [sys.executable, "-c", start, *command],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=240,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_soft_limit_is_raised_to_fit_the_connection_pool(tmp_path: Path) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < CONCURRENCY + 200:
        pytest.skip(f"this machine's hard limit on open files is {hard}")
    with ThreadedServer(echo_handler(delay=lambda body: 0.3)) as server:
        code, output = _run_limited(_project(tmp_path, server.base_url), LIMITED, 4096)
        in_flight = server.seen.max_in_flight
    assert code == 0, output
    assert "Too many open files" not in output and "errors 0 " in output, output
    assert in_flight > LIMITED  # the connections the old soft limit could not hold


def test_a_hard_limit_below_the_pool_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    with ThreadedServer(echo_handler()) as server:
        code, output = _run_limited(_project(tmp_path, server.base_url), LIMITED, LIMITED)
        sent = len(server.seen.bodies)
    assert code == 2, output
    assert sent == 0
    assert not (tmp_path / "r").exists() or not any(p.is_dir() for p in (tmp_path / "r").iterdir())
    (line,) = [text for text in output.splitlines() if text.startswith("error:")]
    assert "t.yaml" in line and f"concurrency: {CONCURRENCY} connections" in line, line
    assert f"{LIMITED}" in line and "ulimit -n" in line and "--concurrency" in line, line
    assert "Traceback" not in output
