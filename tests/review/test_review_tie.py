"""Two reviewers whose labels on a row tie: no human label, and the row still waits.

The tie went to the most recent verdict, so a reviewer who saved the very same verdict again
flipped the row's human label, the metrics read from it and the scorer's figures, with no
one having changed their mind; and a require_reviewed gate passed on the disputed row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.status import build_status
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.review.store import ReviewStore
from assurance_harness.review.verdict import reviewed_run

from .reviewkit import make_project


def test_a_tie_between_reviewers_is_no_label_and_the_row_still_waits(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    outcome = project.run(reports=False)
    paths = ReviewPaths.default(project.reports, register=project.register)
    store = ReviewStore(paths.db)

    def give(who: str, key: str, label: bool) -> None:
        adjudicate(
            paths, run_id=outcome.run_id, key=key, reviewer=who, token=None,
            agree=False, label=label,
        )  # fmt: skip

    for key in ("c1#0", "c3#0"):
        give("alice", key, False)
    give("alice", "c2#0", True)
    give("bob", "c2#0", False)
    first = reviewed_run(outcome.run_dir, store)
    give("alice", "c2#0", True)  # the same verdict saved again: nobody changed their mind
    again = reviewed_run(outcome.run_dir, store)

    for view in (first, again):
        # c2 is neither True nor False: human_bad_rate reads the scorer's label there (True),
        # whoever saved last; c1 and c3 are False by the reviewer.
        assert view.metrics["human_bad_rate"]["value"] == pytest.approx(1 / 5)
        assert view.outstanding == ["c2#0"]
        assert view.disputed == ["c2#0"]
        assert view.gates[0]["verdict"] == "awaiting_review"
        (c2,) = [r for r in view.iter_rows() if r["case_id"] == "c2"]
        assert c2["human"]["label"] is None and c2["human"]["reviewers"] == ["alice", "bob"]
    # The queue's pending rows hold it, so another reviewer finds it.
    pending = ["review", "queue", "--pending", "--json", "--reports", str(project.reports)]
    listed = CliRunner().invoke(app, pending)
    assert [i["row"] for i in json.loads(listed.output)] == ["c2#0"], listed.output
    # The register reads the same from the evidence: the disputed row is not reviewed.
    risk = build_status(project.register, project.ledger).get("R-001")
    assert risk is not None and risk.status == "awaiting review", risk

    give("carol", "c2#0", False)  # a third reviewer settles it
    settled = reviewed_run(outcome.run_dir, store)
    assert settled.outstanding == [] and settled.disputed == []
    assert settled.gates[0]["verdict"] == "pass"
    assert settled.metrics["human_bad_rate"]["value"] == pytest.approx(0.0)
    assert json.loads(CliRunner().invoke(app, pending).output) == []
    assert build_status(project.register, project.ledger).get("R-001").status != "awaiting review"


def test_the_scorers_figures_say_a_disputed_row_is_not_counted(tmp_path: Path) -> None:
    """With no human label a disputed row leaves the scorer's counts: the figures say so, not
    "precision 1 (n=1) from 3 human verdicts" with one of the two reviewed rows gone unsaid."""
    from assurance_harness.scorers.reviewed import reviewed_validity

    project = make_project(tmp_path)
    outcome = project.run(reports=False)
    paths = ReviewPaths.default(project.reports, register=project.register)
    for who, key, label in (
        ("alice", "c2#0", True),
        ("bob", "c2#0", False),
        ("alice", "c3#0", True),
    ):
        adjudicate(
            paths, run_id=outcome.run_id, key=key, reviewer=who, token=None,
            agree=False, label=label,
        )  # fmt: skip
    (figures,) = reviewed_validity(project.reports).values()
    assert figures.counts == {"tp": 1, "fp": 0, "fn": 0, "tn": 0}
    assert figures.disputed == 1 and figures.to_dict()["disputed"] == 1
    assert "; 1 reviewed row whose reviewers' labels tie not counted" in figures.text()
