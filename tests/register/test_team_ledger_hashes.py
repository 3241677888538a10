"""A run whose evidence is in a team store's ledger, its summary.json edited and manifest.json
rewritten to match: ``compare``, ``baseline``, ``trend``, ``review status`` and ``review
adjudicate`` check a run's files against the hashes its evidence holds in the ledger
(``register.ledger_hashes``), but read them from the JSONL file only, which a team store never
writes: finding no file, they checked nothing, and the edit read as the run's own, though
``evidence verify`` reports it (file_changed).

Against the throwaway cluster of ``tests/testing/postgres.py`` (skips without PostgreSQL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assurance_harness.register.ledger import attach_run
from assurance_harness.register.ledger_hashes import ledger_run_hashes
from assurance_harness.workspace import Workspace

from ..testing.cli import invoke_in_process
from ..testing.summary_edits import edit_summary, reseal_summary

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).parent / "golden" / "reports"
RUN_ID = "20261202T030141Z-golden-refusal-e0f7"


def _recorded_then_forged(tmp_path: Path) -> tuple[Path, Path]:
    """The golden run recorded in the team store's ledger (no ledger file written), then its
    summary edited and its manifest rewritten to match; the reports folder and the summary."""
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copytree(GOLDEN / RUN_ID, reports / RUN_ID)
    ledger = Workspace.at(reports).ledger
    attach_run(reports / RUN_ID, ledger_path=ledger)
    assert not ledger.exists()  # the records are in the store only
    summary = edit_summary(reports / RUN_ID, "metric value")
    reseal_summary(reports / RUN_ID)
    return reports, summary


def test_the_team_ledgers_hashes_are_read(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    reports, _ = _recorded_then_forged(tmp_path)
    hashes = ledger_run_hashes(Workspace.at(reports).ledger)
    assert set(hashes.get(RUN_ID, {})) >= {"summary.json", "results.jsonl"}, hashes


def test_baseline_set_refuses_a_forged_summary_recorded_in_the_team_store(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    reports, summary = _recorded_then_forged(tmp_path)
    done = invoke_in_process(["baseline", "set", RUN_ID, "--reports", str(reports), "--force"])
    assert done.exit_code == 3, done.output
    assert str(summary) in done.output and "in the ledger" in done.output, done.output
