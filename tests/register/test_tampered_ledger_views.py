"""Every view of a ledger that fails verification says so in what it writes, not only on
stderr, and no risk reads verified from records that may have been altered.

Observed: after a failing record's verdict was edited to "pass" (not re-hashed), the exported
register (md, csv, html, xlsx) read "Status: VERIFIED" for the risk, the CSV and XLSX never
mentioned the failed verification, ``register soa`` exited 0 with the risk's controls
"verified", and ``evidence list`` listed the edited record as pass, exit 0, nothing on stderr.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run

FAILED = "FAILED verification"


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str | Path):
        return runner.invoke(app, [str(a) for a in args])

    return invoke


@pytest.fixture
def tampered(cli, tmp_path: Path, reports: Path) -> list[str | Path]:
    """A project whose only evidence (R-001's failing gate) was edited to pass; the options
    every register view takes."""
    register = tmp_path / "risk_register.yaml"
    age_gates = (  # R-001 rests on toxicity-core alone: its run's gate makes it verified
        "      - {suite: age-appropriateness-8-12, gates: [toxic_rate]}\n"
        "      - {suite: age-appropriateness-13-17, gates: [toxic_rate]}\n"
    )
    text = EXAMPLE_REGISTER.read_text()
    assert age_gates in text
    register.write_text(text.replace(age_gates, "", 1))
    run = make_run(
        reports, gates=[GateSpec("toxic_rate", "fail")], finished_at="2026-11-29T10:00:00+00:00"
    )
    attached = cli("evidence", "attach", run.name, "--register", register, "--reports", reports)
    assert attached.exit_code == 0, attached.output
    ledger = reports / "evidence" / "ledger.jsonl"
    text = ledger.read_text()
    assert '"verdict":"fail"' in text
    ledger.write_text(text.replace('"verdict":"fail"', '"verdict":"pass"'))
    return ["--register", register, "--reports", reports, "--now", "2026-11-30T00:00:00Z"]


def test_status_does_not_call_a_risk_verified_from_an_altered_ledger(cli, tampered) -> None:
    result = cli("register", "status", *tampered, "-f", "json")
    assert result.exit_code == 1
    risk = json.loads(result.stdout)["risks"][0]
    assert risk["id"] == "R-001" and risk["status"] != "verified"
    assert any(FAILED in reason for reason in risk["reasons"]), risk["reasons"]


@pytest.mark.parametrize("suffix", ["md", "html", "csv", "xlsx"])
def test_every_export_says_the_ledger_failed_and_reads_no_risk_verified(
    cli, tampered, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"register.{suffix}"
    result = cli("register", "export", *tampered, "--out", out)
    assert result.exit_code == 1, result.output
    if suffix == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(out)["Risks"]
        rows = [[str(c.value or "") for c in row] for row in sheet.iter_rows()]
        status = dict(zip(rows[0], rows[1], strict=True))
        assert status["id"] == "R-001" and status["status"] != "verified"
        assert FAILED in status["status_reasons"]
        return
    text = out.read_text()
    assert FAILED in text
    if suffix == "csv":
        row = next(csv.DictReader(io.StringIO(text)))
        assert row["id"] == "R-001" and row["status"] != "verified"
        assert FAILED in row["status_reasons"]
    elif suffix == "md":
        assert "Status: VERIFIED" not in text and "| VERIFIED | 0 |" in text
    else:
        assert 's-verified">verified<' not in text


def test_soa_exits_1_and_its_file_says_why(cli, tampered, tmp_path: Path) -> None:
    printed = cli("register", "soa", *tampered, "-f", "md")
    assert printed.exit_code == 1
    assert "tampered:" in printed.stderr and FAILED in printed.stdout
    out = tmp_path / "soa.csv"
    written = cli("register", "soa", *tampered, "-f", "csv", "-o", out)
    assert written.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert not [r["control"] for r in rows if r["technical_evidence"] == "verified"]
    relied_on = [r for r in rows if "R-001" in r["risks"].split("\n")]
    assert relied_on and all(FAILED in r["note"] for r in relied_on)


def test_evidence_list_warns_and_exits_1(cli, tampered) -> None:
    reports = tampered[3]
    result = cli("evidence", "list", "--reports", reports)
    assert result.exit_code == 1
    assert "EV-000001" in result.stdout
    assert "tampered:" in result.stderr and "edited" in result.stderr


def test_the_xlsx_evidence_sheet_marks_the_altered_record(cli, tampered, tmp_path: Path) -> None:
    """Observed: the workbook's Evidence sheet listed the edited record as "pass", filled green,
    with nothing on that sheet saying the ledger failed verification (only the Risks sheet's
    reasons did), and a reader filtering the sheet for passes counted it."""
    from openpyxl import load_workbook

    out = tmp_path / "register.xlsx"
    result = cli("register", "export", *tampered, "--out", out)
    assert result.exit_code == 1, result.output
    sheet = load_workbook(out)["Evidence"]
    header = [str(c.value) for c in sheet[1]]
    assert "integrity" in header, header
    (row,) = [r for r in sheet.iter_rows(min_row=2) if r[0].value == "EV-000001"]
    cells = dict(zip(header, row, strict=True))
    assert FAILED in str(cells["integrity"].value) and "edited" in str(cells["integrity"].value)
    assert cells["verdict"].fill.fgColor.rgb != "00DFF5E3", "an altered pass is not green"
