"""``register export`` of text a spreadsheet cannot hold: control characters in a register
field (a vertical tab from a GRC tool's cell, an escape sequence) or in what an endpoint
reported are written visibly, never an internal error."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.testing.cli import run_cli

REGISTER = """register_version: 1
system: {name: Demo, intended_use: homework help, owner: Safety lead}
risks:
  - {id: R-001, title: "Toxic\\voutput \\x1b[31mred", category: safety, owner: T&S,
     likelihood: 3, impact: 4, notes: "line\\x01one"}
"""


def test_control_characters_reach_the_workbook_visibly(tmp_path: Path) -> None:
    register = tmp_path / "register.yaml"
    register.write_text(REGISTER)
    out = tmp_path / "register.xlsx"
    (tmp_path / "r").mkdir()  # a reports folder that is not there is refused
    proc = run_cli(
        "register", "export", "--register", register, "--reports", tmp_path / "r", "-o", out
    )
    text = proc.stdout + proc.stderr
    assert "internal error" not in text, text
    assert proc.returncode == 0, text
    sheet = load_workbook(out)["Risks"]
    header = [cell.value for cell in sheet[1]]
    row = {h: cell.value for h, cell in zip(header, sheet[2], strict=True)}
    assert row["title"] == "Toxic\\x0boutput \\x1b[31mred"
    assert row["notes"] == "line\\x01one"
