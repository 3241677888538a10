"""``register import`` of a CSV whose computed columns (status, ratings, evidence) were edited.
Observed: a status changed to "verified" in the CSV was not imported (status is computed from
evidence, never stored) and the command said only "0 added, 0 updated, 5 unchanged": an owner
who edited it read that as accepted. The summary now says those columns were not read."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from assurance_harness.register.loader import load_register

from ..testing.cli import invoke_in_process
from .register_testkit import EXAMPLE_REGISTER


def _export(tmp_path: Path, reports: Path) -> tuple[Path, Path]:
    register = tmp_path / "register.yaml"
    register.write_text(EXAMPLE_REGISTER.read_text(encoding="utf-8"), encoding="utf-8")
    exported = tmp_path / "register.csv"
    done = invoke_in_process(
        ["register", "export", "--register", str(register), "--reports", str(reports),
         "--out", str(exported)]
    )  # fmt: skip
    assert done.exit_code in (0, 1), done.output
    return register, exported


def test_an_edited_status_is_said_not_read(tmp_path: Path, reports: Path) -> None:
    register, exported = _export(tmp_path, reports)
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"), newline="")))
    rows[0]["status"] = "VERIFIED"
    rows[0]["residual_rating"] = "low"
    edited = tmp_path / "edited.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    edited.write_text(buffer.getvalue(), encoding="utf-8")
    written = tmp_path / "imported.yaml"
    done = invoke_in_process(
        ["register", "import", str(edited), "--register", str(register), "--out", str(written)]
    )
    assert done.exit_code == 0, done.output
    flat = " ".join(done.output.split())
    assert "computed" in flat and "status" in flat and "not read" in flat, flat
    assert load_register(written).register == load_register(register).register


def test_a_csv_of_owner_set_columns_alone_says_nothing_of_them(tmp_path: Path) -> None:
    register = tmp_path / "register.yaml"
    register.write_text(EXAMPLE_REGISTER.read_text(encoding="utf-8"), encoding="utf-8")
    plain = tmp_path / "in.csv"
    plain.write_text(
        "id,title,category,owner,likelihood,impact\nR-900,New,safety,a,3,4\n", encoding="utf-8"
    )
    done = invoke_in_process(
        ["register", "import", str(plain), "--register", str(register), "--out",
         str(tmp_path / "o.yaml")]
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "not read" not in done.output, done.output
