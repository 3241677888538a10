"""A run folder's cases file that cannot be read back (it is written atomically, so only an
edit or a bad disk damages it) is one line naming the file and line, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.datatypes import Case
from assurance_harness.errors import UsageError
from assurance_harness.store.rundir import RunDir


def test_a_torn_cases_file_names_its_line(tmp_path: Path) -> None:
    run_dir = RunDir(tmp_path / "run")
    run_dir.path.mkdir()
    run_dir.write_cases([Case(id=f"c{i}", prompt=f"case {i}") for i in range(3)])
    text = run_dir.cases.read_text()
    run_dir.cases.write_text(text[: len(text) - 12])  # the last line torn
    with pytest.raises(UsageError, match=r"cases\.jsonl:3: .*the run directory is damaged"):
        list(run_dir.iter_cases())
