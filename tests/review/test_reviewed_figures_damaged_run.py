"""The scorers' reviewed figures when a reviewed run's folder is damaged. Observed: three
verdicts given on a run, then its summary.json cut short (a disk filled, a copy interrupted);
``review agreement`` said the scorer figures were "none yet", exit 0, and every reader of the
figures (a report, a gate's ``min_validity``, the annex) counted without those verdicts, not a
word said: a precision from fewer rows than were reviewed. A run whose folder is gone is still
passed over (deleted, its verdicts have no answer to read); one that is there but cannot be
read is now an error naming its file, exit 2."""

from __future__ import annotations

from pathlib import Path

from tests.testing.cli import run_cli

from .test_reviewed_validity import _reviewed


def test_verdicts_on_a_damaged_run_are_never_dropped_from_the_figures(tmp_path: Path) -> None:
    project, run_id = _reviewed(tmp_path)
    summary = project.reports / run_id / "summary.json"
    summary.write_bytes(summary.read_bytes()[:100])  # cut short mid-write

    shown = run_cli("review", "agreement", "--reports", project.reports, cwd=tmp_path)
    text = shown.stdout + shown.stderr
    assert shown.returncode == 2, text
    assert "none yet" not in text and "Traceback" not in text, text
    errors = [line for line in shown.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and f"{run_id}/summary.json" in errors[0], text
