"""``register import`` of a file that is no comma-separated CSV says what it is, in one line
with the fix, exit 2 and nothing written. Observed: an empty file and a spreadsheet saved with
';' between cells (Excel's "CSV" in many regions) were each six or seven lines of "required
column is missing" and "unknown column" naming the whole header as one column, and an XLSX
workbook was "not UTF-8: byte 0xd5"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import invoke_in_process

REGISTER = """register_version: 1
system: {name: Demo, intended_use: homework help, owner: Safety lead}
risks:
  - {id: R-001, title: Toxic output, category: safety, owner: T&S, likelihood: 3, impact: 4}
"""
HEADER = ["id", "title", "category", "owner", "likelihood", "impact"]
ROW = ["R-001", "Toxic output", "safety", "T&S", "3", "4"]


def _import(tmp_path: Path, data: bytes, name: str = "risks.csv") -> tuple[int, list[str]]:
    register = tmp_path / "risk_register.yaml"
    register.write_text(REGISTER, encoding="utf-8")
    path = tmp_path / name
    path.write_bytes(data)
    done = invoke_in_process(["register", "import", str(path), "--register", str(register)])
    assert register.read_text(encoding="utf-8") == REGISTER
    assert "Traceback" not in done.output and "internal error" not in done.output
    return done.exit_code, [line for line in done.output.splitlines() if line.strip()]


@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_one_line(tmp_path: Path, data: bytes) -> None:
    code, lines = _import(tmp_path, data)
    assert code == 2
    assert len(lines) == 1, lines
    assert "risks.csv:1: the file is empty" in lines[0], lines


@pytest.mark.parametrize(("separator", "named"), [(";", "';'"), ("\t", "tabs")])
def test_a_file_separated_by_another_character_is_one_line(
    tmp_path: Path, separator: str, named: str
) -> None:
    text = separator.join(HEADER) + "\n" + separator.join(ROW) + "\n"
    code, lines = _import(tmp_path, text.encode())
    assert code == 2
    assert len(lines) == 1, lines
    assert f"risks.csv:1: the cells are separated by {named}" in lines[0], lines
    assert "comma" in lines[0], lines


def test_an_xlsx_workbook_is_one_line(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append([*ROW[:4], "=1+2", "4"])
    workbook.save(tmp_path / "risks.xlsx")
    code, lines = _import(tmp_path, (tmp_path / "risks.xlsx").read_bytes(), "risks.xlsx")
    assert code == 2
    assert len(lines) == 1, lines
    assert "risks.xlsx:1: an XLSX workbook" in lines[0], lines
    assert "CSV UTF-8" in lines[0], lines
