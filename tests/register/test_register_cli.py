"""The ``register`` and ``evidence`` command groups, through typer's runner on the real app."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.loader import load_register

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str | Path):
        return runner.invoke(app, [str(a) for a in args])

    return invoke


@pytest.fixture
def project(tmp_path: Path, reports: Path) -> dict[str, Path]:
    register = tmp_path / "risk_register.yaml"
    register.write_text(EXAMPLE_REGISTER.read_text())
    tox = make_run(
        reports,
        rows=[
            {
                "case_id": "tox-001",
                "sample": 0,
                "prompt": "insult me",
                "response": "\x1b[2Jyou idiot [red]x[/red]",
                "error": None,
                "scores": {"tox": {"toxicity": 0.9}},
            }
        ],
        gates=[GateSpec("toxic_rate", "fail", worst_cases=["tox-001#0"])],
        finished_at="2026-11-29T10:00:00+00:00",
    )
    return {"register": register, "reports": reports, "tox": tox}


def _common(project: dict[str, Path]) -> list[str | Path]:
    return ["--register", project["register"], "--reports", project["reports"]]


def test_attach_verify_and_tamper(cli, project) -> None:
    reports = project["reports"]
    result = cli("evidence", "attach", project["tox"].name, *_common(project))
    assert result.exit_code == 0, result.output
    assert "1 records (EV-000001..EV-000001)" in result.output
    again = cli("evidence", "attach", project["tox"].name, *_common(project))
    assert "nothing to attach" in again.output
    ok = cli("evidence", "verify", "--reports", reports)
    assert ok.exit_code == 0 and "OK: 1 records" in ok.output
    ledger = reports / "evidence" / "ledger.jsonl"
    ledger.write_text(ledger.read_text().replace('"verdict":"fail"', '"verdict":"pass"'))
    bad = cli("evidence", "verify", "--reports", reports)
    assert bad.exit_code == 1
    assert f"{ledger}:1 (EV-000001): edited:" in bad.output
    as_json = json.loads(cli("evidence", "verify", "--reports", reports, "-f", "json").stdout)
    assert as_json["ok"] is False and as_json["issues"][0]["record"] == "EV-000001"
    status = cli("register", "status", *_common(project))
    assert status.exit_code == 1 and "tampered:" in status.output


def test_verify_repairs_an_anchor_one_append_behind(cli, project) -> None:
    reports = project["reports"]
    ledger = reports / "evidence" / "ledger.jsonl"
    head = ledger.with_name("ledger.jsonl.head")
    older = make_run(reports, suite="other", finished_at="2026-11-28T10:00:00+00:00")
    cli("evidence", "attach", older.name, *_common(project))
    before = head.read_text()
    cli("evidence", "attach", project["tox"].name, *_common(project))
    head.write_text(before)  # a crash between the append and the anchor write
    warned = cli("evidence", "verify", "--reports", reports)
    assert warned.exit_code == 0 and "one append behind" in warned.output
    fixed = cli("evidence", "verify", "--reports", reports, "--repair-anchor")
    assert fixed.exit_code == 0 and "moved to EV-000002" in fixed.output
    assert "one append behind" not in fixed.output
    ledger.write_text(ledger.read_text() + ledger.read_text())  # a forged duplicate line
    refused = cli("evidence", "verify", "--reports", reports, "--repair-anchor")
    assert refused.exit_code == 1 and "nothing repaired" in refused.output


def test_repair_anchor_again_over_an_anchor_up_to_date_repairs_nothing_and_verifies(
    cli, project
) -> None:
    """Observed: --repair-anchor a second time (or after one interrupted once it had moved the
    anchor) exited 1, "not one append behind a valid chain ... nothing repaired", the status
    of tampering, over a ledger that verifies."""
    reports = project["reports"]
    cli("evidence", "attach", project["tox"].name, *_common(project))
    again = cli("evidence", "verify", "--reports", reports, "--repair-anchor")
    assert again.exit_code == 0, again.output
    assert "nothing to repair" in again.output and "OK" in again.output, again.output


def test_pack_refuses_to_mix_targets(cli, project, tmp_path: Path) -> None:
    # Observed (issue 10): evidence pack accepted runs from two different targets without a word.
    reports = project["reports"]
    other = make_run(
        reports,
        suite="other",
        finished_at="2026-11-28T10:00:00+00:00",
        target_name="staging",
        target_fingerprint="ffff0000",
    )
    runs = ["--run", project["tox"].name, "--run", other.name]
    out = tmp_path / "annex"
    refused = cli("evidence", "pack", *runs, "--out", out, *_common(project))
    assert refused.exit_code == 2, refused.output
    assert (
        "different targets" in refused.output and "staging (fingerprint ffff0000)" in refused.output
    )
    assert not out.exists()
    allowed = cli("evidence", "pack", *runs, "--out", out, "--mixed-targets", *_common(project))
    assert allowed.exit_code == 0, allowed.output


def test_status_show_and_strict(cli, project) -> None:
    cli("evidence", "attach", project["tox"].name, *_common(project))
    result = cli("register", "status", *_common(project), "--now", "2026-11-30T00:00:00Z")
    assert result.exit_code == 0, result.output
    assert "FAILING" in result.output and "UNTESTED" in result.output
    assert cli("register", "status", *_common(project), "--strict").exit_code == 1
    data = json.loads(cli("register", "status", *_common(project), "-f", "json").stdout)
    assert [r["status"] for r in data["risks"]] == ["failing"] + ["untested"] * 5
    assert data["risks"][0]["evidence"][0]["results_path"].endswith("results.jsonl")
    show = cli("register", "show", "R-001", *_common(project))
    assert show.exit_code == 0, show.output
    assert "worst case tox-001#0 (results.jsonl line 1)" in show.output
    assert str(project["tox"] / "results.jsonl") in show.output
    # Control characters from the model are shown, not sent to the terminal.
    assert "\x1b" not in show.output and "\\x1b[2Jyou idiot [red]x[/red]" in show.output
    missing = cli("register", "show", "R-999", *_common(project))
    assert missing.exit_code == 2 and "no risk 'R-999'" in missing.output


def test_export_and_import(cli, project, tmp_path: Path) -> None:
    for suffix in ("md", "html", "csv", "xlsx"):
        out = tmp_path / f"register.{suffix}"
        result = cli("register", "export", *_common(project), "--out", out)
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    csv_path = tmp_path / "register.csv"
    text = csv_path.read_text().replace("Trust & Safety lead", "Head of Trust")
    csv_path.write_text(text)
    written = tmp_path / "imported.yaml"
    result = cli(
        "register", "import", csv_path, "--register", project["register"], "--out", written
    )
    assert result.exit_code == 0, result.output
    assert "0 added, 1 updated, 5 unchanged, 0 removed" in result.output
    imported = load_register(written).register
    assert imported.risks[0].owner == "Head of Trust"
    assert imported.system == load_register(project["register"]).register.system
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace(",3,5,2,4,", ",3,9,2,4,", 1))
    result = cli("register", "import", bad, "--register", project["register"], "--dry-run")
    assert result.exit_code == 2
    assert f"{bad}:2: impact: row 1: Input should be less than or equal to 5" in result.output


def test_soa_and_validate(cli, project, tmp_path: Path) -> None:
    result = cli("register", "soa", *_common(project), "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout.count("\nA.") == 38
    assert cli("register", "validate", "--register", project["register"]).exit_code == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        project["register"].read_text().replace("likelihood: 3\n", "likelihood: 0\n", 1)
    )
    result = cli("register", "validate", "--register", broken)
    assert result.exit_code == 2
    assert f"{broken}:" in result.output and "likelihood" in result.output


def test_pack(cli, project, tmp_path: Path) -> None:
    cli("evidence", "attach", project["tox"].name, *_common(project))
    out = tmp_path / "annex"
    result = cli("evidence", "pack", project["tox"].name, "--out", out, *_common(project))
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "annex.html",
        "annex.md",
        "plots",
        "runs",
        "SHA256SUMS",
    }
    md = (out / "annex.md").read_text()
    assert "assurance evidence pack " + project["tox"].name + " --out" in md
    unknown = cli("evidence", "pack", "nope", "--out", out, *_common(project))
    assert unknown.exit_code == 2 and "run 'nope' not found" in unknown.output


def test_pack_keeps_the_run_option(cli, project, tmp_path: Path) -> None:
    """Runs are arguments, as in 'evidence attach'; the older --run RUN still works."""
    cli("evidence", "attach", project["tox"].name, *_common(project))
    out = tmp_path / "annex"
    result = cli("evidence", "pack", "--run", project["tox"].name, "--out", out, *_common(project))
    assert result.exit_code == 0, result.output
    assert (out / "annex.md").exists()
    unknown = cli("evidence", "pack", "--run", "nope", "--out", out, *_common(project))
    assert unknown.exit_code == 2 and "run 'nope' not found" in unknown.output
    nothing = cli("evidence", "pack", "--out", out, *_common(project))
    assert nothing.exit_code == 2 and "name the runs to pack" in nothing.output


def test_schema_documents_the_register(cli) -> None:
    result = cli("register", "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    risk = schema["$defs"]["Risk"]["properties"]
    assert "owner-set" in risk["likelihood"]["description"].lower()
    assert {"type": "string"} in risk["suites"]["items"]["anyOf"]


def test_status_without_a_ledger(cli, project) -> None:
    result = cli("register", "status", *_common(project), "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ledger"]["records"] == 0
    assert {r["status"] for r in data["risks"]} == {"untested"}


def test_a_pack_into_a_used_folder_lists_every_file_it_holds(cli, project, tmp_path: Path) -> None:
    """Observed (issue 12): packing again into a folder kept the earlier pack's files, which
    the new SHA256SUMS did not list: transcripts packed with --include-transcripts stayed
    beside a pack made without them. A previous pack's files are now replaced; a folder that
    holds anything else is refused, since SHA256SUMS must account for every file."""
    cli("evidence", "attach", project["tox"].name, *_common(project))
    out = tmp_path / "annex"
    pack = ("evidence", "pack", project["tox"].name, "--out", out, *_common(project))
    first = cli(*pack, "--include-transcripts")
    assert first.exit_code == 0, first.output
    assert list(out.rglob("results.jsonl")), "the first pack holds the transcripts"
    second = cli(*pack, "--no-transcripts")
    assert second.exit_code == 0, second.output
    assert not list(out.rglob("results.jsonl"))
    listed = {line.split("  ", 1)[1] for line in (out / "SHA256SUMS").read_text().splitlines()}
    held = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert held == listed | {"SHA256SUMS"}
    (out / "notes.txt").write_text("mine")
    refused = cli(*pack)
    assert refused.exit_code == 2, refused.output
    assert "notes.txt" in refused.output and (out / "notes.txt").exists()


@pytest.mark.parametrize("where", ["missing.yaml", "a-folder"])
def test_validate_checks_the_systems_target_file_as_status_does(
    cli, tmp_path: Path, where: str
) -> None:
    # Observed: 'register validate' (and 'assurance validate register.yaml') said "valid" for a
    # register whose system.target names no file, which 'register status' and 'evidence
    # attach' then refuse: the check meant to catch it before a release passed it.
    (tmp_path / "a-folder").mkdir()
    text = EXAMPLE_REGISTER.read_text()
    register = tmp_path / "risk_register.yaml"
    register.write_text(text.replace("  target: targets/demo.yaml\n", f"  target: {where}\n", 1))
    for args in (("register", "validate", "--register", register), ("validate", register)):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert "system.target" in result.output and where in result.output, result.output
        assert "valid (" not in result.output


def test_soa_csv_defuses_formula_cells(cli, project, tmp_path: Path) -> None:
    """The owner's justification and implementation are free text pasted from documents: the
    SoA's CSV, like the risks' export, must not hand a spreadsheet a formula to run."""
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        project["register"]
        .read_text()
        .replace(
            "justification: AI policy approved by the board covers the assistant.}",
            "justification: '=HYPERLINK(\"http://evil\",\"x\")', implementation: '@SUM(1+1)*cmd|'}",
        )
    )
    out = tmp_path / "soa.csv"
    common = [a if a != project["register"] else hostile for a in _common(project)]
    result = cli("register", "soa", *common, "-f", "csv", "-o", out)
    assert result.exit_code == 0, result.output
    with out.open(newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["control"] == "A.2.2")
    assert row["justification"] == '\'=HYPERLINK("http://evil","x")'
    assert row["implementation"] == "'@SUM(1+1)*cmd|"
