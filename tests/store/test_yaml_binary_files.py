"""A YAML file the user names that is no text at all: the register exported to XLSX and given
back as ``--register``, a zip archive, an old Excel workbook, a PDF. Observed: "not UTF-8 (byte
10); re-save the file as UTF-8", advice no spreadsheet can follow. Now the line names the file
as what it is (from its first bytes), says it is not a YAML file, and gives the fix."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.store.yaml_lines import load_yaml_file
from tests.testing.cli import one_line_refusal, run_cli


def _xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.append(["id", "title"])
    book.active.append(["R-001", "Toxic output"])
    book.save(path)
    return path


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("risk_register.yaml", "risks: []\n")
    return path


def _ole(path: Path) -> Path:
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00\xff" * 256)
    return path


def _pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    return path


MADE = {
    "xlsx": (_xlsx, "an Excel workbook (XLSX)"),
    "zip": (_zip, "a zip archive"),
    "xls": (_ole, "an Excel 97-2003 workbook or another OLE document (XLS, DOC)"),
    "pdf": (_pdf, "a PDF document"),
}


@pytest.mark.parametrize("kind", list(MADE))
def test_a_binary_file_given_as_yaml_is_named_for_what_it_is(tmp_path: Path, kind: str) -> None:
    make, said = MADE[kind]
    path = make(tmp_path / "risk_register.yaml")
    with pytest.raises(ConfigError) as caught:
        load_yaml_file(path)
    text = str(caught.value)
    assert f"{said}, not a YAML file" in text, text
    assert "not UTF-8" not in text and "re-save" not in text, text


def test_register_status_on_an_xlsx_export_says_it_is_not_the_yaml_register(
    tmp_path: Path,
) -> None:
    _xlsx(tmp_path / "register.xlsx")
    line = one_line_refusal(
        run_cli("register", "status", "--register", "register.xlsx", cwd=tmp_path, timeout=60)
    )
    assert "register.xlsx: an Excel workbook (XLSX), not a YAML file" in line, line
    assert "assurance register import" in line, line


def test_a_file_in_another_text_encoding_is_still_told_to_be_saved_as_utf8(
    tmp_path: Path,
) -> None:
    path = tmp_path / "suite.yaml"
    path.write_bytes("suite: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_yaml_file(path)
    assert "not UTF-8" in str(caught.value) and "re-save the file as UTF-8" in str(caught.value)
