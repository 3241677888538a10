"""A replay target's index of its recording lives in temporary files (``store.spill``): a
temporary folder that is full, or a file size limit, is the storage fault it is (exit 3, the
line a full TMPDIR gets when a dataset spills: the folder and the fix), not an "internal error"
of the harness blamed on the target file.

The fault is real: the process's file size limit (``RLIMIT_FSIZE``, which holds for root too),
under which the recording's spilled index columns (256 kB extents) cannot be written while the
suite's, the recording's and the run's own small files can."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import replay_project

LIMIT = 100_000
"""Bytes any one file of the process may hold: more than any file of the project, less than
one extent of a spilled column."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    replay_project(tmp_path, "replay-spill")
    (tmp_path / "tmp").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ("run", "run.yaml", "--target", "replay.yaml", "--reports", "r", "--no-report"),
        ("targets", "check", "replay.yaml"),
    ],
    ids=["run", "targets-check"],
)
def test_a_replay_index_that_cannot_spill_is_a_storage_fault(
    project: Path, args: tuple[str, ...]
) -> None:
    done = run_cli(
        *args,
        cwd=project,
        timeout=120,
        env={"TMPDIR": str(project / "tmp")},
        file_size_limit=LIMIT,
    )
    assert done.returncode == 3, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    line = errors[0]
    assert line.startswith(f"error: cannot write a temporary file in {project / 'tmp'} (TMPDIR)")
    assert "File too large" in line and "set TMPDIR to a folder with room" in line, line
    assert "internal error" not in done.stderr and "replay.yaml" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not list((project / "tmp").glob("assurance-crash-*")), "no traceback saved"
    if args[0] == "run":  # refused before the run folder was made: nothing sent
        assert not list((project / "r").glob("replay-spill-*"))
