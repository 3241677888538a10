"""A run folder whose summary.json, manifest.json or run.json has been replaced by a pipe or a
device (a FIFO nobody writes to, a link to /dev/zero): every command that reads the run after
it finished says which file is wrong (exit 2), never waits for a writer that never comes, and
never reads /dev/zero until memory runs out. Each subprocess has a timeout and an address-space
limit, so a regression fails here instead of hanging the suite or exhausting the machine."""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

import pytest

from tests.report.runfixtures import toxicity_run
from tests.testing.cli import cli_command

MEMORY_LIMIT = 4 << 30
"""Bytes of address space a command may use here: far above what it needs, far below what a
read of /dev/zero to the end would take."""


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _assurance(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_command(*args),
        capture_output=True,
        text=True,
        timeout=20,
        cwd=cwd,
        preexec_fn=_limited,
    )


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
@pytest.mark.parametrize("name", ["summary.json", "manifest.json"])
@pytest.mark.parametrize(
    "command",
    [("report", "r-1", "-o", "out"), ("compare", "r-0", "r-1"), ("trend",)],
    ids=["report", "compare", "trend"],
)
def test_a_run_file_that_is_a_pipe_or_a_device_is_named_not_waited_on(
    tmp_path: Path, kind: str, name: str, command: tuple[str, ...]
) -> None:
    reports = tmp_path / "reports"
    toxicity_run(reports, "r-0", {1}, n_cases=10, index=True)
    path = toxicity_run(reports, "r-1", {1, 2}, n_cases=10, index=True) / name
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(kind)
    if command == ("trend",):
        command = ("trend", "toxicity-core", "toxic_rate")
    proc = _assurance(*command, cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert "internal error" not in text and "Traceback" not in text, text
    assert f"{name}: not a regular file" in text, text
    if command[0] != "trend":  # a trend leaves the run out, and says why
        assert proc.returncode == 2, text


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
@pytest.mark.parametrize("name", ["cases.jsonl", "responses.jsonl", "run.json"])
def test_an_evidence_pack_of_a_run_with_a_pipe_or_a_device_in_it_names_it(
    tmp_path: Path, kind: str, name: str
) -> None:
    """Observed: 'evidence pack' hashed (and would have copied) every run file as it found it,
    waiting forever on a FIFO and hashing /dev/zero without end."""
    run_dir = toxicity_run(tmp_path / "reports", "r-1", {1, 2}, n_cases=10, index=True)
    path = run_dir / name
    path.unlink(missing_ok=True)  # the fixture writes no run.json
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(kind)
    proc = _assurance("evidence", "pack", "r-1", "-o", "out", cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert "internal error" not in text and "Traceback" not in text, text
    assert proc.returncode == 2, text
    assert f"{name}: not a regular file" in text, text
    assert not (tmp_path / "out" / "SHA256SUMS").exists()
