"""The XLSX Evidence sheet says which records the risks' status rests on. Observed: it listed
every ledger record, each coloured by its own verdict, so a reader filtering on R-001 saw an
older run's green pass beside the risk the latest run fails, with nothing telling them the pass
no longer counts (the same for another target's records)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run


def test_the_evidence_sheet_says_which_records_count(tmp_path: Path, reports: Path) -> None:
    from openpyxl import load_workbook

    register = tmp_path / "risk_register.yaml"
    age_gates = (
        "      - {suite: age-appropriateness-8-12, gates: [toxic_rate]}\n"
        "      - {suite: age-appropriateness-13-17, gates: [toxic_rate]}\n"
    )
    register.write_text(EXAMPLE_REGISTER.read_text().replace(age_gates, "", 1))
    runner = CliRunner()
    common = ["--register", str(register), "--reports", str(reports)]
    for verdict, when in (
        ("pass", "2026-11-28T10:00:00+00:00"),
        ("fail", "2026-11-29T10:00:00+00:00"),
    ):
        run = make_run(reports, gates=[GateSpec("toxic_rate", verdict)], finished_at=when)
        done = runner.invoke(app, ["evidence", "attach", run.name, *common])
        assert done.exit_code == 0, done.output
    out = tmp_path / "register.xlsx"
    done = runner.invoke(
        app, ["register", "export", *common, "--now", "2026-11-30T00:00:00Z", "--out", str(out)]
    )
    assert done.exit_code in (0, 1), done.output
    sheet = load_workbook(out)["Evidence"]
    header = [str(c.value) for c in sheet[1]]
    assert "counts" in header, header
    rows = [
        dict(zip(header, [c.value for c in r], strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    by_verdict = {(r["risk_id"], r["verdict"]): str(r["counts"]) for r in rows}
    assert by_verdict[("R-001", "fail")] == "yes"
    older = by_verdict[("R-001", "pass")]
    assert older.startswith("no") and "2026" in older, older  # names the run that counts
