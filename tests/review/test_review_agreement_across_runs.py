"""Audit: two reviewers who judged the same answer (the same prompt and response) in two runs
were never paired for the reviewer kappa, where the scorer figures (``scorers.reviewed``)
count that answer as one item with each reviewer's latest verdict on any copy as one vote."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate

from .reviewkit import make_project

HUMAN = {"c2#0": False, "c3#0": True}


def _review(project, run_id: str, who: str, labels: dict[str, bool]) -> None:  # type: ignore[no-untyped-def]
    paths = ReviewPaths.default(project.reports, register=project.register)
    for key, label in labels.items():
        adjudicate(
            paths, run_id=run_id, key=key, reviewer=who, token=None, agree=False, label=label,
        )  # fmt: skip


def _agreement(project) -> dict:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        app, ["review", "agreement", "--json", "--reports", str(project.reports)]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_same_answer_reviewed_in_two_runs_pairs_its_reviewers(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    # the same answers twice
    first, second = project.run(reports=False).run_id, project.run(reports=False).run_id
    _review(project, first, "alice", HUMAN)
    _review(project, second, "bob", HUMAN)
    found = _agreement(project)
    assert found["rows_two_reviewers"] == 2, found
    assert found["kappa"] == 1.0 and found["statistic"] == "Cohen's kappa", found
    # Each reviewer judging both copies is still one vote on each answer: two items, not four.
    _review(project, first, "bob", HUMAN)
    _review(project, second, "alice", HUMAN)
    found = _agreement(project)
    assert found["rows_two_reviewers"] == 2 and found["rows_reviewed"] == 4, found
    # The queue page reads the same items, and says the copies were counted once.
    from assurance_harness.ui.app import Settings

    from .serve import get_page, serving

    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        page = unescape(get_page(f"{base}/review?show=all"))
    table = page[page.index('id="agreement"') :]
    assert "reviewer kappa (2 rows with two reviewers)" in table, table
    assert "2 reviewed rows are the same answer as another reviewed row" in table, table
