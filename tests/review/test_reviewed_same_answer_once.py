"""Audit: the same answer reviewed in two runs (the response cache replays an earlier run's
answer, or a deterministic target gives it again) counted as two rows, inflating n and narrowing
the interval ``min_validity`` checks. A (case, answer) counts once per scorer configuration,
with every reviewer's latest verdict on it as one vote; where a purge took the answer text,
the row cannot be told apart from another answer to its case, so it is counted as that one
(never twice)."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.review.store import ReviewStore
from assurance_harness.scorers.reviewed import reviewed_validity

from .test_reviewed_validity import HUMAN, _reviewed


def test_an_answer_reviewed_in_two_runs_counts_once(tmp_path: Path) -> None:
    project, first = _reviewed(tmp_path)  # alice: c1 True, c2 False, c3 True
    second = project.run().run_id  # the same target answers every case the same way
    paths = ReviewPaths.default(project.reports, register=project.register)
    for key, label in {**HUMAN, "c2#0": True}.items():  # bob, later: c2 is bad after all
        adjudicate(
            paths, run_id=second, key=key, reviewer="bob", token=None, agree=False, label=label,
        )  # fmt: skip

    (figures,) = reviewed_validity(project.reports).values()
    # c1, c2 and c3 once each, every reviewer of an answer one vote: c2 is alice's False
    # against bob's True, a tie, not counted; c3 tp, c1 fn.
    assert figures.counts == {"tp": 1, "fp": 0, "fn": 1, "tn": 0}
    assert figures.precision is not None and figures.precision.n == 1
    assert figures.verdicts == 6  # alice's and bob's on each of the three answers
    assert "3 rows repeating a reviewed (case, answer) counted once" in figures.text()
    assert "1 reviewed row whose reviewers' labels tie not counted" in figures.text()

    # The first run's texts purged: its rows can no longer be compared by answer, so each is
    # counted as the answer to its case the other run holds, never as a second row.
    ReviewStore(project.reports / "runs.db").forget_texts([first])
    (figures,) = reviewed_validity(project.reports).values()
    assert figures.precision is not None and figures.precision.n == 1
    assert figures.counts == {"tp": 1, "fp": 0, "fn": 1, "tn": 0}


def test_every_reviewer_of_a_repeated_answer_has_one_vote_whichever_copy_they_judged(
    tmp_path: Path,
) -> None:
    """Of an answer reviewed in two runs, only the copy with the newest verdict stood, with
    its own reviewers: bob's True on the second run's copy outvoted alice's and carol's False
    on the first's, and alice saving her verdict again put it back: the precision a gate's
    min_validity reads followed whoever clicked last. Each reviewer's latest verdict on the
    answer, whichever copy, is one vote."""
    project, first = _reviewed(tmp_path)  # alice: c1 True, c2 False, c3 True
    second = project.run().run_id  # the same target answers every case the same way
    paths = ReviewPaths.default(project.reports, register=project.register)

    def give(who: str, run_id: str, label: bool) -> None:
        adjudicate(
            paths, run_id=run_id, key="c2#0", reviewer=who, token=None, agree=False,
            label=label,
        )  # fmt: skip

    give("carol", first, False)
    give("bob", second, True)  # the newest verdict, on the other copy
    (figures,) = reviewed_validity(project.reports).values()
    # c2 (scorer True) is False by two of three people: fp; c3 tp; c1 fn.
    assert figures.counts == {"tp": 1, "fp": 1, "fn": 1, "tn": 0}
    assert figures.verdicts == 5  # alice on c1, c2, c3; carol and bob on c2
    give("alice", first, False)  # the same verdict again
    (again,) = reviewed_validity(project.reports).values()
    assert again.counts == figures.counts and again.verdicts == figures.verdicts
