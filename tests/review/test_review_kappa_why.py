"""A reviewer kappa that cannot be computed says why (``review agreement``, its JSON and the
web app's queue page), rather than a bare "–" beside "1 rows with two reviewers": two
reviewers who gave every row the same one label agree perfectly, and read as if nothing had
been measured."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.review.agreement import agreement
from assurance_harness.store.reviews import Verdict

from .reviewkit import make_project


def _verdict(vid: int, key: str, reviewer: str, label: bool) -> Verdict:
    return Verdict(vid, "run", key, reviewer, "correct", label, None, "", "", None, [])


def _standing(given: list[tuple[str, str, bool]]) -> dict[tuple[str, str], dict[str, Verdict]]:
    out: dict[tuple[str, str], dict[str, Verdict]] = {}
    for vid, (key, reviewer, label) in enumerate(given, start=1):
        out.setdefault(("run", key), {})[reviewer] = _verdict(vid, key, reviewer, label)
    return out


def test_an_undefined_kappa_or_interval_says_why() -> None:
    one_reviewer = agreement(_standing([("a#0", "alice", True), ("b#0", "alice", False)]))
    assert one_reviewer.kappa is None
    assert one_reviewer.kappa_why == "not computed: no row has labels from two reviewers"

    both_true = [("a#0", "alice", True), ("a#0", "bob", True), ("b#0", "alice", True)]
    one_label = agreement(_standing([*both_true, ("b#0", "bob", True)]))
    assert one_label.kappa is None and one_label.rows_two_reviewers == 2
    assert one_label.kappa_why == (
        "undefined: both reviewers gave each of the 2 rows the label True (they agree on "
        "every one), so the agreement expected by chance is 1 and kappa divides by 0"
    )
    assert one_label.to_dict()["kappa_why"] == one_label.kappa_why

    both_false = [("b#0", "alice", False), ("b#0", "bob", False)]
    mixed = agreement(_standing([("a#0", "alice", True), ("a#0", "bob", True), *both_false]))
    assert mixed.kappa == 1.0 and mixed.kappa_why is None

    # One row the two disagree on: kappa 0, and no interval from one row.
    split = agreement(_standing([("a#0", "alice", True), ("a#0", "bob", False)]))
    assert split.kappa == 0.0 and split.kappa_ci == (None, None) and split.kappa_why is None
    assert split.kappa_ci_why == "no interval: 1 row with two reviewers, a bootstrap needs 2"


def test_review_agreement_prints_why_there_is_no_kappa(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    paths = ReviewPaths.default(project.reports, register=project.register)
    for who in ("alice", "bob"):
        adjudicate(paths, run_id=run_id, key="c2#0", reviewer=who, token=None, agree=True)
    reports = ["--reports", str(project.reports)]
    text = CliRunner().invoke(app, ["review", "agreement", *reports])
    assert text.exit_code == 0, text.output
    printed = " ".join(text.output.split())  # the terminal's width wraps the line
    assert (
        "reviewer kappa: – (1 rows with two reviewers): undefined: both reviewers gave each of "
        "the 1 rows the label True (they agree on every one), so the agreement expected by "
        "chance is 1 and kappa divides by 0 "
    ) in printed, text.output
    document = CliRunner().invoke(app, ["review", "agreement", "--json", *reports])
    assert json.loads(document.output)["kappa_why"].startswith("undefined: both reviewers")


def test_a_reviewer_saving_the_same_verdict_again_leaves_the_kappa_as_it_was() -> None:
    """Each row's pair was taken in the order the standing verdicts were given, so alice
    saving a verdict again (a newer id, the same label) moved her to the second rater's place
    on that row: the two raters' label rates, and kappa with them, changed (0.29 to 0.17)."""
    labels = {"r1": (True, True), "r2": (False, False), "r3": (True, False)}
    labels |= {"r4": (True, False), "r5": (False, False)}
    given = [
        (f"{row}#0", who, pair[i])
        for row, pair in labels.items()
        for i, who in enumerate(("alice", "bob"))
    ]
    before = agreement(_standing(given))
    again = agreement(_standing([*given, ("r4#0", "alice", True)]))
    assert before.kappa is not None
    assert again.kappa == before.kappa and again.kappa_ci == before.kappa_ci
