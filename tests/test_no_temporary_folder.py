"""No folder for temporary files can be written at all (TMPDIR, /tmp, /var/tmp and the working
folder read-only or not folders: a locked-down container)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from assurance_harness.errors import ExitCode, storage_fault


def test_the_line_says_to_set_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Was: "cannot read or write a file: No usable temporary directory found in [...]", exit 3,
    without the way on (seen with /tmp and /var/tmp mounted read-only: 'assurance run' refused
    before anything was sent, as it should)."""
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", None)  # asked again, not the one found already
    monkeypatch.setattr(tempfile, "_candidate_tempdir_list", lambda: [str(not_a_folder)])
    with pytest.raises(FileNotFoundError) as raised:
        tempfile.gettempdir()
    fault = storage_fault(raised.value)
    assert fault.exit_code == ExitCode.RUN_FAILED
    (line,) = fault.lines()
    assert str(not_a_folder) in line and "set TMPDIR to a folder that can be written" in line
