"""A file a command is told to write that cannot be written is one line naming it: exit 2 for
a wrong path, exit 3 for a storage fault (README "exit codes"), never "internal error: ... a bug
in assurance-harness".
Observed (issue 12): ``schema --out`` given a folder, a path under a missing folder, or a full
device ended in an internal error with a crash report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "internal error" not in lines[0], stderr
    return lines[0]


def test_an_output_path_that_is_a_folder_is_exit_2_naming_it(tmp_path: Path) -> None:
    # A wrong path is the command line's fault (exit 2, as for every --out: output_faults).
    (tmp_path / "taken").mkdir()
    done = run_cli("schema", "--out", "taken", cwd=tmp_path, env={"TMPDIR": str(tmp_path)})
    assert done.returncode == 2, done.stderr
    line = _one_error_line(done.stderr)
    assert "--out taken" in line and "is a folder" in line
    assert not list(tmp_path.glob("assurance-crash-*")), "a crash report was written"


def test_an_output_path_under_missing_folders_is_written(tmp_path: Path) -> None:
    done = run_cli("schema", "--kind", "target", "--out", "new/folders/t.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"properties"' in (tmp_path / "new" / "folders" / "t.json").read_text()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_device_is_exit_3_in_one_line(tmp_path: Path) -> None:
    done = run_cli("schema", "--out", "/dev/full", cwd=tmp_path, env={"TMPDIR": str(tmp_path)})
    assert done.returncode == 3, done.stderr
    line = _one_error_line(done.stderr)
    assert "/dev/full" in line and "No space left on device" in line
    assert Path("/dev/full").is_char_device()  # written to, never replaced by a file
