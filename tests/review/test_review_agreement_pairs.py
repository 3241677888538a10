"""Audit: the reviewer kappa pooled different pairs of reviewers into one Cohen's kappa (rows
judged by alice and bob beside rows judged by bob and carol, bob rater 2 on the first and rater
1 on the second), and on a row with three reviewers counted the first two by name, saying
nothing: 0.167 over 5 rows. Cohen's kappa is one fixed pair's; with more reviewers the figure
is Krippendorff's alpha, named as such, over every reviewer's label."""

from __future__ import annotations

from assurance_harness.review.agreement import agreement
from assurance_harness.store.reviews import Verdict

COHEN = "Cohen's kappa"
ALPHA = "Krippendorff's alpha (nominal)"


def _standing(given: list[tuple[str, str, bool]]) -> dict[tuple[str, str], dict[str, Verdict]]:
    out: dict[tuple[str, str], dict[str, Verdict]] = {}
    for vid, (key, who, label) in enumerate(given, start=1):
        verdict = Verdict(vid, "run", key, who, "correct", label, None, "", "", None, [])
        out.setdefault(("run", key), {})[who] = verdict
    return out


POOLED = [
    ("r1#0", "alice", True), ("r1#0", "bob", True),
    ("r2#0", "alice", False), ("r2#0", "bob", False),
    ("r3#0", "bob", True), ("r3#0", "carol", False),
    ("r4#0", "bob", False), ("r4#0", "carol", True),
    ("r5#0", "alice", True), ("r5#0", "bob", True), ("r5#0", "carol", False),
]  # fmt: skip


def test_several_pairs_of_reviewers_give_krippendorffs_alpha_not_one_cohens_kappa() -> None:
    found = agreement(_standing(POOLED))
    assert found.statistic == ALPHA
    assert found.reviewers == ["alice", "bob", "carol"]
    assert found.rows_two_reviewers == 5
    # Items (m, yes): (2,2) (2,0) (2,1) (2,1) (3,2): n = 11 labels, 6 yes, 5 no; disagreement
    # o_01 = 0 + 0 + 1 + 1 + 2*1/2 = 3; alpha = 1 - (n - 1) * o_01 / (n_0 * n_1) = 1 - 30/30.
    assert found.kappa is not None and abs(found.kappa - 0.0) < 1e-12
    assert found.to_dict()["statistic"] == ALPHA
    assert ALPHA in found.kappa_text() and "3 reviewers" in found.kappa_text()
    # 5 rows are far too few for an interval that covers: it says so instead.
    assert found.kappa_ci == (None, None)
    assert found.kappa_ci_why is not None and found.kappa_ci_why.startswith("no interval")


def test_one_pair_of_reviewers_keeps_cohens_kappa_as_before() -> None:
    found = agreement(_standing([g for g in POOLED if g[1] != "carol"]))
    assert found.statistic == COHEN and found.reviewers == ["alice", "bob"]
    assert found.kappa == 1.0 and found.rows_two_reviewers == 3
    assert "alpha" not in found.kappa_text()  # the text as before: figure and interval


def test_a_third_reviewer_on_one_row_is_counted_not_dropped() -> None:
    two = [("a#0", "alice", True), ("a#0", "bob", True), ("b#0", "alice", False)]
    two += [("b#0", "bob", False)]
    found = agreement(_standing([*two, ("a#0", "carol", False)]))
    assert found.statistic == ALPHA  # carol's label on a#0 is part of the figure
    assert found.kappa is not None and found.kappa < 1
