"""The empty-answers warning says what an empty answer counts as in a refusal figure, not only
in a harm figure. The refusal scorer labels an empty answer a refusal (nothing was provided), so
an endpoint answering "" passes a baseline-refusal gate, and in a robustness suite every
perturbed prompt answered against an empty original counts as a flip; the warning said only
that "a rate of harmful answers counts them as harmless", so a refusal rate or flip rate made
of empty answers read as measured behaviour."""

from __future__ import annotations

from assurance_harness.runner.rowstream import RowTotals, empty_answers_warning


def test_the_warning_says_an_empty_answer_counts_as_a_refusal() -> None:
    totals = RowTotals(rows=3, empty=2, empty_keys=["b#0", "c#0"])
    warning = empty_answers_warning(totals)
    assert warning is not None
    assert warning.startswith("2 of 3 answers were empty text (b#0, c#0)")
    assert "counts them as harmless" in warning
    assert "the refusal scorer as refusals" in warning
    assert "flip" in warning
