"""A cell the owner did not edit imports as the register's own value. Observed: ``register
export`` to CSV then ``register import`` of that file, nobody having opened it, said "1
updated" and rewrote the register: a control written over two lines (a YAML ``|`` block) came
back as two controls, a description written as a ``>`` block lost its final line break, an
empty description became none, and a title's spaces at its ends were cut."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assurance_harness.register.loader import load_register
from tests.testing.cli import invoke_in_process


def _register(path: Path, fields: dict[str, object]) -> Path:
    risk = {
        "id": "R-001",
        "title": "t",
        "category": "safety",
        "owner": "a",
        "likelihood": 3,
        "impact": 5,
        **fields,
    }
    data = {
        "system": {"name": "helper", "intended_use": "homework help", "owner": "Head"},
        "risks": [risk],
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "fields",
    [
        {"controls": ["Human review of\nflagged responses", "Output filter"]},
        {"controls": ["Output filter\n"]},
        {"controls": [" Output filter", "", "Human review"]},
        {"description": "How it happens.\nWhat the harm is.\n"},
        {"description": ""},
        {"title": " A title with spaces at its ends "},
        {"notes": "\n"},
    ],
)
def test_an_unedited_export_imports_as_the_same_register(
    tmp_path: Path, reports: Path, fields: dict[str, object]
) -> None:
    register = _register(tmp_path / "register.yaml", fields)
    exported = tmp_path / "register.csv"
    done = invoke_in_process(
        [
            *("register", "export", "--register", str(register)),
            *("--reports", str(reports), "--out", str(exported)),
        ]
    )
    assert done.exit_code == 0, done.output
    written = tmp_path / "imported.yaml"
    done = invoke_in_process(
        ["register", "import", str(exported), "--register", str(register), "--out", str(written)]
    )
    assert done.exit_code == 0, done.output
    assert "0 added, 0 updated, 1 unchanged, 0 removed" in done.output
    assert load_register(written).register == load_register(register).register


def test_an_edited_cell_is_still_read_trimmed_and_one_item_a_line(
    tmp_path: Path, reports: Path
) -> None:
    """The register's value is kept only where the cell reads back as it: an edited cell is
    read as before (its ends trimmed, one list item a line)."""
    register = _register(tmp_path / "register.yaml", {"controls": ["a\nb"], "title": " t "})
    csv_path = tmp_path / "risks.csv"
    csv_path.write_text(
        "id,title,category,owner,likelihood,impact,controls\n"
        'R-001,"  new title  ",safety,a,3,5,"a\nc\n"\n',
        encoding="utf-8",
        newline="",
    )
    written = tmp_path / "imported.yaml"
    done = invoke_in_process(
        ["register", "import", str(csv_path), "--register", str(register), "--out", str(written)]
    )
    assert done.exit_code == 0, done.output
    risk = load_register(written).register.risks[0]
    assert (risk.title, risk.controls) == ("new title", ["a", "c"])
