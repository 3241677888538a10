"""``runs purge`` when a payload cannot be deleted or the ledger cannot be written. Observed:
with a file of a run immutable the purge exited 3, but both purge records were already in the
ledger while every file still existed, and 'evidence verify' said the payloads "were deleted as
recorded"; the rerun then appended two more purge records for the same two runs. The same with
the anchor immutable.

Now: a purge that fails records nothing and deletes nothing, names the file and says to run
the same purge again; the rerun records each run's purge once. A purge stopped after its
records were appended (the process killed) is finished by the rerun without recording it again.
Real faults: ``chattr +i`` (skipped where refused)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.privacy.retention import PAYLOAD_FILES, RETENTION
from assurance_harness.register.ledger import attach_run, read_ledger, verify_ledger
from tests.testing.tmpfs import immutable

from .register_testkit import GateSpec, make_run

OLD = "2026-01-10T09:00:00+00:00"


def _purge(reports: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["runs", "purge", "--older-than", "90d", "--reports", str(reports)]
    )
    return result.exit_code, result.output


def _two_old_runs(reports: Path) -> tuple[list[Path], Path]:
    ledger = reports / "evidence" / "ledger.jsonl"
    ledger.parent.mkdir(parents=True)
    runs = [
        make_run(
            reports, finished_at=OLD, run_id=f"old-{n}", gates=[GateSpec("toxic_rate", "pass")]
        )
        for n in "ab"
    ]
    for run in runs:
        attach_run(run, ledger_path=ledger)
    return runs, ledger


def _payloads(runs: list[Path]) -> set[Path]:
    return {run / name for run in runs for name in PAYLOAD_FILES if (run / name).exists()}


def _purge_records(ledger: Path) -> list[str]:
    return sorted(r.run_id for r in read_ledger(ledger) if r.risk_id == RETENTION)


def _rerun_purges_each_run_once(reports: Path, runs: list[Path], ledger: Path) -> None:
    rc, out = _purge(reports)
    assert rc == 0, out
    assert _purge_records(ledger) == sorted(run.name for run in runs)
    assert _payloads(runs) == set()
    report = verify_ledger(ledger)
    assert report.ok and report.purged == sorted(run.name for run in runs), report.issues


@pytest.mark.parametrize("which", ["payload", "anchor"])
def test_a_purge_that_fails_records_nothing_and_the_rerun_records_once(
    reports: Path, which: str
) -> None:
    runs, ledger = _two_old_runs(reports)
    payloads = _payloads(runs)
    ledger_before = ledger.read_bytes()
    path = runs[-1] / "cases.jsonl" if which == "payload" else ledger.with_name("ledger.jsonl.head")

    with immutable(path):
        rc, out = _purge(reports)
    text = out.replace("\n", "")
    assert rc == 3, out
    assert f"{path}:" in text and "again" in text, out
    assert ledger.read_bytes() == ledger_before  # no record of a deletion that did not happen
    assert _payloads(runs) == payloads
    _rerun_purges_each_run_once(reports, runs, ledger)


def test_a_purge_stopped_after_its_records_is_finished_without_recording_again(
    reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process killed between the append and the deletion (a real kill cannot be timed
    there): the rerun deletes the payloads its records already name."""
    from assurance_harness.register import ledger_store

    runs, ledger = _two_old_runs(reports)
    append = ledger_store.append_records

    def append_then_killed(path: Path, bodies: list[dict]) -> list:
        append(path, bodies)
        raise SystemExit(137)

    monkeypatch.setattr("assurance_harness.register.ledger.append_records", append_then_killed)
    rc, _out = _purge(reports)
    assert rc == 137
    assert _purge_records(ledger) == sorted(run.name for run in runs)
    monkeypatch.undo()
    _rerun_purges_each_run_once(reports, runs, ledger)


def test_a_plots_folder_the_purge_cannot_delete_is_named_and_the_rerun_deletes_it(
    reports: Path,
) -> None:
    """A run's plots/ folder (images of its figures, from an older version) holding a file
    that cannot be deleted: the purge deleted what else it could, ignored the failure and
    exited 0, so a data-protection promise read as kept with the run's images still there.
    Now exit 3 naming the path, and the same purge run again finishes it, recording it once."""
    runs, ledger = _two_old_runs(reports)
    plots = runs[-1] / "plots"
    plots.mkdir()
    image = plots / "toxic_rate.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")

    with immutable(image):
        rc, out = _purge(reports)
    text = out.replace("\n", "")
    assert rc == 3, out
    assert str(image) in text and "cannot delete" in text and "again" in text, out
    _rerun_purges_each_run_once(reports, runs, ledger)
    assert not plots.exists()
