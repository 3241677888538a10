"""``runs purge`` and a run's ``plots/`` folder (images of its figures, from an older version),
which the purge deletes with the run's payload files. Observed: ``--dry-run`` neither listed
``plots/`` among what it would delete nor checked it could be deleted, so it said "would purge"
a run whose immutable image then failed the purge (exit 3) once its record was in the ledger;
and the purge record named the payload files it hashed, never the folder it deleted.

Now the dry run and the purge list ``plots/`` with the files, the dry run names an image the
purge could not delete (as a warning, the run not listed), the purge refuses it before it
records anything, and the purge record lists the folder under ``run.purged_folders`` (no hash:
nothing hashed the images, and ``purged_files`` holds only the files a run's evidence may
name)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.privacy.retention import PAYLOAD_FILES, RETENTION
from assurance_harness.register.ledger import attach_run, read_ledger, verify_ledger
from tests.testing.tmpfs import immutable

from .register_testkit import GateSpec, make_run

OLD = "2026-01-10T09:00:00+00:00"


def _purge(reports: Path, *options: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, ["runs", "purge", "--older-than", "90d", "--reports", str(reports), *options]
    )
    return result.exit_code, result.stdout, result.stderr


def _old_runs(reports: Path) -> tuple[Path, Path, Path]:
    """Two old runs with evidence in the ledger, the second holding ``plots/toxic_rate.png``;
    the runs and the ledger."""
    ledger = reports / "evidence" / "ledger.jsonl"
    ledger.parent.mkdir(parents=True)
    plain, plotted = (
        make_run(
            reports, finished_at=OLD, run_id=f"old-{n}", gates=[GateSpec("toxic_rate", "pass")]
        )
        for n in "ab"
    )
    for run in (plain, plotted):
        attach_run(run, ledger_path=ledger)
    (plotted / "plots").mkdir()
    (plotted / "plots" / "toxic_rate.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return plain, plotted, ledger


def _listed(out: str, run: Path) -> list[str]:
    """The names the line ``... RUN (finished ...): NAMES`` lists for ``run``."""
    (line,) = [line for line in out.splitlines() if f" {run.name} (finished" in line]
    return line.split("): ", 1)[1].split(", ")


def _purge_records(ledger: Path) -> dict[str, dict]:
    return {r.run_id: r.run for r in read_ledger(ledger) if r.risk_id == RETENTION}


def test_the_dry_run_and_the_purge_list_the_plots_folder_and_the_record_names_it(
    reports: Path,
) -> None:
    plain, plotted, ledger = _old_runs(reports)
    files = sorted(name for name in PAYLOAD_FILES if (plotted / name).exists())

    rc, out, err = _purge(reports, "--dry-run")
    assert rc == 0, out + err
    assert _listed(out, plotted) == [*files, "plots/"], out
    assert "plots/" not in _listed(out, plain), out
    assert (plotted / "plots" / "toxic_rate.png").exists()

    rc, out, err = _purge(reports)
    assert rc == 0, out + err
    assert _listed(out, plotted) == [*files, "plots/"], out
    assert not (plotted / "plots").exists()
    records = _purge_records(ledger)
    assert records[plotted.name]["purged_folders"] == ["plots"]
    assert sorted(records[plotted.name]["purged_files"]) == files
    assert "purged_folders" not in records[plain.name]  # absent where there was none
    report = verify_ledger(ledger)
    assert report.ok and report.purged == sorted([plain.name, plotted.name]), report.issues


def test_an_image_the_purge_cannot_delete_is_named_by_the_dry_run_and_nothing_recorded(
    reports: Path,
) -> None:
    plain, plotted, ledger = _old_runs(reports)
    image = plotted / "plots" / "toxic_rate.png"
    before = sorted(p.name for p in plotted.iterdir())

    with immutable(image):
        dry_rc, dry_out, dry_err = _purge(reports, "--dry-run")
        rc, out, err = _purge(reports)

    assert dry_rc == 0, dry_out + dry_err
    assert f"would purge {plotted.name}" not in dry_out, dry_out
    assert f"would purge {plain.name}" in dry_out, dry_out
    warning = dry_err.replace("\n", "")
    assert str(image) in warning and "the purge would fail here" in warning, dry_err
    assert rc == 3, out + err
    error = err.replace("\n", "")
    assert str(image) in error and "nothing was purged or recorded" in error, err
    assert sorted(p.name for p in plotted.iterdir()) == before
    assert _purge_records(ledger) == {}
