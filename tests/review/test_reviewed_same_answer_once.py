"""Audit: the same answer reviewed in two runs (the response cache replays an earlier run's
answer, or a deterministic target gives it again) counted as two rows, inflating n and narrowing
the interval ``min_validity`` checks. A (case, answer) counts once per scorer configuration,
with its latest standing consensus; where a purge took the answer text, the row cannot be told
apart from another answer to its case, so it is counted as that one (never twice)."""

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
    # c2 and c3 flagged, once each, with the latest consensus (bob's c2 True): tp 2, fp 0.
    assert figures.counts == {"tp": 2, "fp": 0, "fn": 1, "tn": 0}
    assert figures.precision is not None and figures.precision.n == 2
    assert figures.verdicts == 3  # the verdicts behind the rows counted, not all six
    assert "3 rows repeating a reviewed (case, answer) counted once" in figures.text()

    # The first run's texts purged: its rows can no longer be compared by answer, so each is
    # counted as the answer to its case the other run holds, never as a second row.
    ReviewStore(project.reports / "runs.db").forget_texts([first])
    (figures,) = reviewed_validity(project.reports).values()
    assert figures.precision is not None and figures.precision.n == 2
    assert figures.counts == {"tp": 2, "fp": 0, "fn": 1, "tn": 0}
