"""A text longer than a worksheet cell holds (Excel's limit: 32,767 characters) is cut in the
XLSX export with a note that says so. Observed: openpyxl cuts such a cell to the limit without a
word, so the sheet held a 40,000-character description ending mid-sentence as if that were all
of it."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.testing.cli import invoke_in_process

EXCEL_CELL_LIMIT = 32767


def test_a_text_longer_than_a_cell_is_cut_with_a_note(tmp_path: Path, reports: Path) -> None:
    from openpyxl import load_workbook

    register = tmp_path / "register.yaml"
    risk = {"id": "R-001", "title": "t", "category": "safety", "owner": "a"}
    data = {
        "system": {"name": "helper", "intended_use": "homework help", "owner": "Head"},
        "risks": [{**risk, "likelihood": 3, "impact": 5, "description": "x" * 40000}],
    }
    register.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "register.xlsx"
    done = invoke_in_process(
        [
            *("register", "export", "--register", str(register)),
            *("--reports", str(reports), "--out", str(out)),
        ]
    )
    assert done.exit_code == 0, done.output
    sheet = load_workbook(out)["Risks"]
    headers = [cell.value for cell in sheet[1]]
    cell = str(sheet.cell(row=2, column=headers.index("description") + 1).value)
    assert len(cell) <= EXCEL_CELL_LIMIT
    assert cell.startswith("x" * 1000)
    assert cell.endswith("characters more are in the register file]"), cell[-200:]
