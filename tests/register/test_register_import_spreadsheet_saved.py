"""A CSV the way a spreadsheet saves it back: a date in the region's form, and rows left with
every cell empty after rows were deleted. Observed: ``15/01/2026`` was "Input should be a valid
date or datetime, invalid character in year" (no fix), a cell ``0`` was taken as 1970-01-01
(a Unix time), and each empty row was six lines of "required value is empty"."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.register.loader import load_register
from tests.testing.cli import invoke_in_process

REGISTER = """register_version: 1
system: {name: Demo, intended_use: homework help, owner: Safety lead}
risks:
  - {id: R-001, title: Toxic output, category: safety, owner: T&S, likelihood: 3, impact: 4}
"""
HEADER = "id,title,category,owner,likelihood,impact,last_reviewed\r\n"


def _import(tmp_path: Path, text: str) -> tuple[int, list[str], Path]:
    register = tmp_path / "risk_register.yaml"
    register.write_text(REGISTER, encoding="utf-8")
    path = tmp_path / "risks.csv"
    path.write_text(HEADER + text, encoding="utf-8", newline="")
    written = tmp_path / "imported.yaml"
    done = invoke_in_process(
        ["register", "import", str(path), "--register", str(register), "--out", str(written)]
    )
    assert "Traceback" not in done.output and "internal error" not in done.output
    return done.exit_code, [line for line in done.output.splitlines() if line.strip()], written


@pytest.mark.parametrize("date", ["15/01/2026", "1/15/2026", "0", "86400", "2026-01-15 00:00"])
def test_a_review_date_not_written_as_an_iso_date_is_one_line_with_the_fix(
    tmp_path: Path, date: str
) -> None:
    code, lines, written = _import(tmp_path, f"R-001,Toxic output,safety,T&S,3,4,{date}\r\n")
    assert code == 2
    assert not written.exists()
    assert len(lines) == 1, lines
    assert f"risks.csv:2: last_reviewed: row 1: '{date}' is no date" in lines[0], lines
    assert "YYYY-MM-DD" in lines[0], lines


def test_rows_with_every_cell_empty_are_passed_over(tmp_path: Path) -> None:
    text = "R-001,Toxic output,safety,T&S,3,4,2026-01-15\r\n,,,,,,\r\n , ,,,,,\r\n"
    code, lines, written = _import(tmp_path, text)
    assert code == 0, lines
    risks = load_register(written).register.risks
    assert [(r.id, str(r.last_reviewed)) for r in risks] == [("R-001", "2026-01-15")]
