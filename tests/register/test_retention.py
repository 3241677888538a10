"""Retention: 'runs purge' deletes old runs' payloads, records the purge in the ledger, and
'evidence verify' reports purged runs as purged while still catching edits to the rest."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.privacy.retention import RETENTION, parse_age
from assurance_harness.register.ledger import attach_run, read_ledger, verify_ledger
from assurance_harness.register.loader import load_register
from assurance_harness.register.status import compute_status

from .register_testkit import GateSpec, make_run


@pytest.fixture
def cli():
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def _runs(reports: Path) -> tuple[Path, Path, Path]:
    ledger = reports / "evidence" / "ledger.jsonl"
    ledger.parent.mkdir(parents=True)
    old = make_run(
        reports, finished_at="2026-01-10T09:00:00+00:00", gates=[GateSpec("toxic_rate", "pass")]
    )
    new = make_run(
        reports,
        finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        gates=[GateSpec("toxic_rate", "fail")],
    )
    for run in (old, new):
        attach_run(run, ledger_path=ledger)
    return old, new, ledger


def test_purge_then_verify_lists_purged_runs_and_exits_0(cli, reports: Path) -> None:
    old, new, ledger = _runs(reports)
    before = read_ledger(ledger)
    result = cli("runs", "purge", "--older-than", "90d", "--reports", reports)
    assert result.exit_code == 0, result.output
    assert f"purged {old.name}" in result.output and new.name not in result.output
    # Payloads gone; verdicts, figures and hashes kept; the newer run untouched.
    assert not (old / "results.jsonl").exists() and not (old / "cases.jsonl").exists()
    assert (old / "summary.json").exists() and (old / "manifest.json").exists()
    assert (new / "results.jsonl").exists()
    # The purge is a chained ledger record; the earlier records are byte-identical.
    after = read_ledger(ledger)
    assert [r.to_line() for r in after[: len(before)]] == [r.to_line() for r in before]
    purge = after[-1]
    assert (purge.risk_id, purge.run_id, purge.verdict) == (RETENTION, old.name, "purged")
    assert set(purge.run["purged_files"]) >= {"results.jsonl", "cases.jsonl"}
    verify = cli("evidence", "verify", "--reports", reports)
    assert verify.exit_code == 0, verify.output
    assert "purged under the retention policy" in verify.output and old.name in verify.output
    data = json.loads(cli("evidence", "verify", "--reports", reports, "--format", "json").output)
    assert data["ok"] is True and data["purged"] == [old.name]
    # A second purge finds nothing more to do and appends nothing.
    assert cli("runs", "purge", "--older-than", "90d", "--reports", reports).exit_code == 0
    assert len(read_ledger(ledger)) == len(after)
    # The purge record is not evidence about a risk.
    loaded = load_register(Path(__file__).resolve().parents[2] / "register/risk_register.yaml")
    _, unknown = compute_status(loaded.register, after)
    assert RETENTION not in unknown


def test_editing_a_remaining_run_still_fails_verify(cli, reports: Path) -> None:
    _old, new, _ledger = _runs(reports)
    assert cli("runs", "purge", "--older-than", "90d", "--reports", reports).exit_code == 0
    results = new / "results.jsonl"
    results.write_text(results.read_text().replace("response 1", "response one"))
    verify = cli("evidence", "verify", "--reports", reports)
    assert verify.exit_code == 1
    assert "file_changed" in verify.output and str(results) in verify.output.replace("\n", "")


def test_deleting_a_run_without_a_purge_record_is_still_tampering(reports: Path) -> None:
    old, _new, ledger = _runs(reports)
    (old / "results.jsonl").unlink()
    report = verify_ledger(ledger)
    assert not report.ok and "file_missing" in report.kinds() and report.purged == []


def test_a_file_edited_before_the_purge_is_reported_not_excused(cli, reports: Path) -> None:
    old, _new, ledger = _runs(reports)
    summary_results = old / "results.jsonl"
    summary_results.write_text(summary_results.read_text() + "\n")
    assert cli("runs", "purge", "--older-than", "90d", "--reports", reports).exit_code == 0
    report = verify_ledger(ledger)
    assert "file_missing" in report.kinds()


def test_ages_and_the_configured_retention(
    cli, reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert parse_age("90d") == dt.timedelta(days=90)
    assert parse_age("2w") == dt.timedelta(weeks=2)
    monkeypatch.chdir(tmp_path)
    result = cli("runs", "purge", "--older-than", "soon", "--reports", reports)
    assert result.exit_code == 2 and "90d" in result.output
    result = cli("runs", "purge", "--reports", reports)
    assert result.exit_code == 2 and "retention_days" in result.output
    (tmp_path / "assurance.yaml").write_text("privacy:\n  retention_days: 30\n")
    old, _new, _ = _runs(reports)
    result = cli("runs", "purge", "--reports", reports, "--dry-run")
    assert result.exit_code == 0 and f"would purge {old.name}" in result.output
    assert (old / "results.jsonl").exists()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", ["named pipe", "directory"])
def test_a_ledger_that_is_no_regular_file_is_refused_before_anything_else(
    cli, reports: Path, tmp_path: Path, kind: str
) -> None:
    """Was: with no run old enough, or with --dry-run, ``runs purge --ledger FIFO`` exited 0
    ("purged 0 run(s) ...; recorded in FIFO", "would purge RUN"), where the same purge with a
    run to purge is refused (exit 2): a dry run promised a purge the real one would not do."""
    ledger = tmp_path / "ledger"
    if kind == "named pipe":
        os.mkfifo(ledger)
    else:
        ledger.mkdir()
    purge = ("runs", "purge", "--older-than", "90d", "--reports", reports, "--ledger", ledger)
    result = cli(*purge)  # no run old enough yet
    assert result.exit_code == 2, result.output
    assert f"{ledger}: is " in result.output and "not an evidence ledger" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    old = make_run(reports, finished_at="2026-01-10T09:00:00+00:00", gates=[])
    for extra in (("--dry-run",), ()):
        result = cli(*purge, *extra)
        assert result.exit_code == 2 and "not an evidence ledger" in result.output, result.output
    assert (old / "results.jsonl").exists()  # nothing deleted without its record
