"""The web app's run page and ``review status`` over a run whose summary.json was edited by
hand after the run. Observed: the run page showed the edited verdicts and figures as the
run's (HTTP 200, not a word), and ``review status`` measured the run again with the gate
rules and review queue read from the edited file. The run page now says the file is not the
one the run wrote; the review-aware view, which re-measures from summary.json's specs, is not
given on it (``review status`` exit 3 naming the file, the page a 503 saying so), as for a
results.jsonl changed since the run."""

from __future__ import annotations

import urllib.error
from pathlib import Path

import pytest

from assurance_harness.ui.app import Settings
from tests.testing.cli import run_cli
from tests.testing.summary_edits import edit_summary

from .reviewkit import SUITE, make_project
from .serve import get_page, serving

NO_REVIEW = SUITE.split("review:")[0].replace(", require_reviewed: true", "")


def test_the_run_page_says_the_summary_was_edited(tmp_path: Path) -> None:
    project = make_project(tmp_path, suite_text=NO_REVIEW)
    run_id = project.run(reports=False).run_id
    summary = edit_summary(project.reports / run_id, "verdict")
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        page = get_page(f"{base}/runs/{run_id}")
    assert "summary.json: does not match the SHA-256 in its manifest.json" in page
    assert str(summary) in page


def test_the_run_page_of_an_untouched_run_has_no_such_note(tmp_path: Path) -> None:
    project = make_project(tmp_path, suite_text=NO_REVIEW)
    run_id = project.run(reports=False).run_id
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        page = get_page(f"{base}/runs/{run_id}")
    assert "does not match the SHA-256" not in page


def test_review_status_and_the_page_refuse_a_run_whose_summary_was_edited(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    summary = edit_summary(project.reports / run_id, "metric value")

    done = run_cli("review", "status", run_id, "--reports", project.reports, timeout=60)
    assert done.returncode == 3, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(summary) in lines[0], done.stderr
    assert "manifest.json" in lines[0] and "internal error" not in lines[0], done.stderr

    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base, pytest.raises(urllib.error.HTTPError) as info:
        get_page(f"{base}/runs/{run_id}")
    assert info.value.code == 503
    assert "summary.json" in info.value.read().decode("utf-8")


def test_a_verdict_on_a_run_whose_summary_was_edited_is_refused_and_writes_nothing(
    tmp_path: Path,
) -> None:
    """Its review record would hash summary.json as it is now (and copy its status), so the
    ledger would vouch for the edit, as it would for a changed results.jsonl. Exit 3, as
    ``review status`` and ``compare`` refuse the run: exit 1 reads to CI as a failed gate."""
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    summary = edit_summary(project.reports / run_id, "status")
    ledger_before = project.ledger.read_bytes()

    done = run_cli(
        "review", "adjudicate", run_id, "c2#0", "--agree", "--reports", project.reports,
        env={"ASSURANCE_REVIEWER": "erin"}, timeout=60,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(summary) in lines[0], done.stderr
    assert "manifest.json" in lines[0] and "internal error" not in lines[0], done.stderr
    assert project.ledger.read_bytes() == ledger_before


def test_the_compare_page_gives_no_verdict_on_an_edited_summary(tmp_path: Path) -> None:
    """The page showed each metric's verdict and never said why a comparison has none (a
    run that failed, files changed since the run), which the command says on stderr."""
    project = make_project(tmp_path, suite_text=NO_REVIEW)
    first, second = project.run(reports=False).run_id, project.run(reports=False).run_id
    summary = edit_summary(project.reports / second, "metric value")
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        page = get_page(f"{base}/compare?a={first}&b={second}")
    assert "No verdict:" in page and str(summary) in page
