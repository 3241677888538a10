"""A runs.db that SQLite cannot open (a directory in its place, or a read-only folder holding
its WAL files) is one line naming it, not an internal error, for every command that reads or
writes the store (``runs list`` already does this; the review and baseline commands do not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli


@pytest.mark.parametrize(
    "args",
    [
        ("review", "queue"),
        ("review", "add-reviewer", "alice"),
        ("baseline", "check"),
        ("ui", "--index"),
    ],
)
def test_a_runs_db_that_cannot_be_opened_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "reports" / "runs.db").mkdir(parents=True)
    proc = run_cli(*args, "--reports", "reports", cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode in (2, 3), text
    assert "internal error" not in text and "Traceback" not in text, text
    assert "runs.db" in text
