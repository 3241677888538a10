"""A cell that begins with a NUL is defused as one that begins with a formula character: ASVS
5.0 (1.2.10) lists ``\\0`` beside ``=``, ``+``, ``-``, ``@`` and tab, as a spreadsheet that
drops the NUL reads the formula behind it. Observed: a title ``\\0=HYPERLINK(...)`` (the
register takes it, written ``"\\0=..."`` in YAML) was exported without the ``'``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from assurance_harness.register.loader import load_register
from tests.testing.cli import invoke_in_process

TITLE = '\x00=HYPERLINK("http://x","click")'


def test_a_cell_beginning_with_a_nul_is_defused_and_reads_back(
    tmp_path: Path, reports: Path
) -> None:
    register = tmp_path / "register.yaml"
    risk = {"id": "R-001", "title": TITLE, "category": "safety", "owner": "a"}
    data = {
        "system": {"name": "helper", "intended_use": "homework help", "owner": "Head"},
        "risks": [{**risk, "likelihood": 3, "impact": 5}],
    }
    register.write_text(yaml.safe_dump(data), encoding="utf-8")
    exported = tmp_path / "register.csv"
    done = invoke_in_process(
        [
            *("register", "export", "--register", str(register)),
            *("--reports", str(reports), "--out", str(exported)),
        ]
    )
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"), newline="")))
    assert rows[0]["title"] == "'" + TITLE
    written = tmp_path / "imported.yaml"
    done = invoke_in_process(
        ["register", "import", str(exported), "--register", str(register), "--out", str(written)]
    )
    assert done.exit_code == 0, done.output
    assert load_register(written).register.risks[0].title == TITLE
