"""Commands that need a run's rows say, of a run a recorded retention purge emptied, that it was
purged (when, under the retention policy), and of a run whose results.jsonl is lost that it is
missing. Each said of both "missing (deleted since the run, or purged under the retention
policy)" or "missing; a finished run has ...": a generic file-not-found, whether the deletion
was the policy's, recorded in the ledger, or a loss. Real runs, purged through the CLI."""

from __future__ import annotations

import pytest

from tests.privacy.purgedkit import PurgedAndLost, purged_and_lost
from tests.testing.cli import invoke_in_process


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> PurgedAndLost:
    return purged_and_lost(tmp_path_factory.mktemp("retention-commands"))


def _says(runs: PurgedAndLost, args: list[str], *, code: int | None = None) -> str:
    done = invoke_in_process([*args, "--reports", str(runs.reports)])
    assert "Traceback" not in done.output, done.output
    if code is not None:
        assert done.exit_code == code, done.output
    return " ".join(done.output.split())  # the terminal's wrapping undone


def _purged_said(runs: PurgedAndLost, text: str) -> None:
    assert f"purged {runs.when} under the retention policy" in text, text
    assert "missing" not in text and "deleted since the run, or" not in text, text


def _lost_said(text: str) -> None:
    assert "missing" in text and "purged" not in text, text


def test_report_says_purged_or_missing(runs: PurgedAndLost) -> None:
    _purged_said(runs, _says(runs, ["report", runs.purged, "-f", "md"]))
    report = (runs.reports / runs.purged / "report.md").read_text("utf-8")
    assert f"purged {runs.when} under the retention policy" in " ".join(report.split())
    _lost_said(_says(runs, ["report", runs.lost, "-f", "md"]))


def test_baseline_set_says_purged_or_missing(runs: PurgedAndLost) -> None:
    _purged_said(runs, _says(runs, ["baseline", "set", runs.purged, "--force"], code=3))
    _lost_said(_says(runs, ["baseline", "set", runs.lost, "--force"], code=3))


def test_compare_names_the_purged_run_and_the_lost_one(runs: PurgedAndLost) -> None:
    text = _says(runs, ["compare", runs.purged, runs.lost])
    baseline, candidate = text.split("the candidate run", 1)
    _purged_said(runs, baseline.split("the baseline run", 1)[1])
    _lost_said(candidate)


def test_resume_says_purged_or_missing(runs: PurgedAndLost) -> None:
    project = runs.project
    run = ["run", str(project.suite), "--target", str(project.target), "--resume"]
    _purged_said(runs, _says(runs, [*run, runs.purged], code=3))
    # A lost file is made again from the run's journal, which a purge deletes too.
    restored = _says(runs, [*run, runs.lost])
    assert "restored results.jsonl from the journal" in restored and "purged" not in restored
    (runs.reports / runs.lost / "results.jsonl").unlink()  # lost again, for the other tests


def test_evidence_attach_says_purged_or_missing(runs: PurgedAndLost) -> None:
    register = ["--register", str(runs.project.register)]
    _purged_said(runs, _says(runs, ["evidence", "attach", runs.purged, *register]))
    _lost_said(_says(runs, ["evidence", "attach", runs.lost, *register]))
