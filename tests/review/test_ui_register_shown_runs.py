"""The register page counts unreviewed rows only of the runs it shows (each suite's latest run
for each risk), and takes the ledger's records from the verification it makes, not from a
second parse. It read run.json, summary.json and manifest.json of every run in the ledger and
parsed the ledger twice: at 12,050 records / 6,025 runs, 27 s a page, 21 s of it counting the
rows of runs no view shows. What the page says must not change, an older run still awaiting
review included (the register speaks of the latest run only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assurance_harness.register import ledger_store
from assurance_harness.register.status import build_status
from assurance_harness.review import outstanding
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.ui.app import Settings

from .reviewkit import Project, make_project
from .serve import get_page, serving

ROWS = ("c1#0", "c2#0", "c3#0")


def _history(tmp_path: Path, *, review_latest: bool) -> tuple[Project, list[str]]:
    """Two runs of one suite: the first never reviewed, the latest reviewed in full
    (``review_latest``) or not at all."""
    project = make_project(tmp_path)
    runs = [project.run(reports=False).run_id for _ in range(2)]
    if review_latest:
        paths = ReviewPaths.default(project.reports, register=project.register)
        for key in ROWS:
            adjudicate(
                paths, run_id=runs[-1], key=key, reviewer="alice", token=None,
                agree=False, label=False,
            )  # fmt: skip
    return project, runs


def _risk_row(page: str) -> str:
    start = page.index('<table id="risks">')
    return page[start : page.index("</table>", start)]


@pytest.mark.parametrize("review_latest", [True, False])
def test_the_register_page_says_what_it_said_of_older_runs_awaiting_review(
    tmp_path: Path, review_latest: bool
) -> None:
    project, runs = _history(tmp_path, review_latest=review_latest)
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        row = _risk_row(get_page(base + "/register"))
    latest = runs[-1]
    if review_latest:  # the older runs' waits are no reason: the latest run is reviewed
        assert 'class="badge verified"' in row, row
        why = f"every linked gate passed in its latest run: review-demo ({latest})"
    else:  # the latest run's count alone, as before
        assert 'class="badge awaiting"' in row, row
        why = f"review-demo: 3 flagged row(s) of run {latest} await a human verdict"
    assert f"<td>{why}</td>" in row, row
    assert all(run not in row for run in runs[:-1]), row


def test_the_register_status_reads_only_the_runs_it_shows_and_the_ledger_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, runs = _history(tmp_path, review_latest=False)
    read: list[str] = []
    parsed: list[Path] = []
    real_read_run, real_iter_lines = outstanding.read_run, ledger_store.iter_lines

    def read_run(run_dir: Path) -> Any:
        read.append(Path(run_dir).name)
        return real_read_run(run_dir)

    def iter_lines(ledger_path: Path, **kwargs: Any) -> Any:
        parsed.append(ledger_path)
        return real_iter_lines(ledger_path, **kwargs)

    # Spies around the real readers (they read the real files): which runs were opened.
    monkeypatch.setattr(outstanding, "read_run", read_run)
    monkeypatch.setattr(ledger_store, "iter_lines", iter_lines)
    risk = build_status(project.register, project.ledger).get("R-001")
    assert risk is not None and risk.status == "awaiting review", risk
    assert set(read) == {runs[-1]}, read  # the older runs' queues are shown nowhere
    assert parsed == [], parsed  # the verification's records, not a second parse


def test_the_register_status_looks_for_lost_files_only_of_the_runs_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file deleted by hand from the latest run is still said (never verified),
    and an older one is not looked at (its loss is shown nowhere: ``evidence verify`` says it).
    Looking for every run's files took 3.9 s of the page at 6,025 runs."""
    from assurance_harness.register import run_presence

    project, runs = _history(tmp_path, review_latest=True)
    looked: list[str] = []
    real_missing = run_presence._missing

    def missing(record: Any, ledger_path: Path, purged: set[str]) -> str | None:
        looked.append(record.run_id)
        return real_missing(record, ledger_path, purged)

    monkeypatch.setattr(run_presence, "_missing", missing)  # a spy: the real stat calls
    (project.reports / runs[-1] / "summary.json").unlink()
    risk = build_status(project.register, project.ledger).get("R-001")
    assert risk is not None and risk.status != "verified", risk
    assert any("summary.json is missing" in why for why in risk.reasons), risk.reasons
    assert risk.files_gone == [runs[-1]], risk.files_gone
    assert set(looked) == {runs[-1]}, looked
