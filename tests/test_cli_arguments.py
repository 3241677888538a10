"""Arguments and settings from the process environment: every one a user can get wrong is one
line naming it and the fix, exit 2 (or 3 where the environment failed the command), never an
internal error, a traceback or exit 1 (issue 12)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.testing.cli import run_cli


@pytest.mark.parametrize("name", ["COLUMNS", "TERMINAL_WIDTH"])
def test_a_terminal_width_beyond_any_screen_is_ignored(tmp_path: Path, name: str) -> None:
    # Observed: COLUMNS=99999999999 assurance --help ended in 'internal error: MemoryError'
    # (the help panels are padded to the width), exit 3.
    started = time.monotonic()
    done = run_cli("--help", cwd=tmp_path, env={name: "99999999999", "TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout and len(done.stdout) < 2_000_000
    assert time.monotonic() - started < 20
