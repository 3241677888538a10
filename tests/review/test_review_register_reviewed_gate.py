"""The register after the reviews of a run whose gate awaited them: the gate's figure is measured
again with the reviewers' labels, as the run page and ``review status`` measure it. Was: the
register read a gate that awaited review as passed once every flagged row had a review record,
so a gate on ``coalesce(human.label, ...)`` that the corrections pushed over its limit read
"verified: every linked gate passed" while the run's own page showed it failing."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.register.status import build_status
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.review.store import ReviewStore
from assurance_harness.review.verdict import reviewed_run

from .reviewkit import SUITE, make_project

REVIEWED_GATE = SUITE.replace(
    "- {metric: bad_rate, max: 0.99, require_reviewed: true}",
    "- {metric: human_bad_rate, max: 0.5, require_reviewed: true}",
)
"""The gate on the reviewed metric: 2 of 5 rows flagged by the scorer (0.4) passes; a reviewer
who finds c1 bad too makes it 3 of 5 (0.6), over the limit."""


def _review(paths: ReviewPaths, run_id: str, labels: dict[str, bool]) -> None:
    for key, label in labels.items():
        adjudicate(
            paths, run_id=run_id, key=key, reviewer="alice", token=None, agree=False, label=label
        )


def test_a_gate_the_reviews_push_over_its_limit_fails_the_risk(tmp_path: Path) -> None:
    project = make_project(tmp_path, suite_text=REVIEWED_GATE)
    outcome = project.run(reports=False)
    paths = ReviewPaths.default(project.reports, register=project.register)
    _review(paths, outcome.run_id, {"c1#0": False, "c2#0": True, "c3#0": True})
    risk = build_status(project.register, project.ledger).get("R-001")
    assert risk is not None and risk.status == "verified", (risk.status, risk.reasons)  # 0.4

    _review(paths, outcome.run_id, {"c1#0": True})  # alice changes her mind: 3 of 5 bad
    view = reviewed_run(outcome.run_dir, ReviewStore(paths.db))
    assert view.outstanding == [] and view.gates[0]["verdict"] == "fail", view.gates
    risk = build_status(project.register, project.ledger).get("R-001")
    assert risk is not None and risk.status == "failing", (risk.status, risk.reasons)
    assert any(
        outcome.run_id in reason and "human_bad_rate" in reason and "review" in reason
        for reason in risk.reasons
    ), risk.reasons
