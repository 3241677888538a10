"""A suite's review policy is type-checked at validate, as its metrics are: each mistake is one
file:line message, before anything is sent.

Was: ``review: {label: nope.matched}`` (no scorer ``nope``) validated; the run then queued no
flagged row at all (the flag, the label by default, was null on every row), so a gate with
``require_reviewed`` passed without a person seeing the rows it was written for, and a verdict
of "agree" recorded a null label. A ``band`` on a field no scorer writes queued nothing either,
and a label reading ``human.label`` (the verdict it is meant to be confirmed by) was null on
every queued row: a policy no review could ever satisfy.
"""

from __future__ import annotations

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite

SUITE = """\
suite: reviewed
cases:
  - {{id: a, prompt: hi}}
  - {{id: b, prompt: yo}}
scorers:
  - {{id: kw, use: contains, with: {{terms: [hate]}}}}
  - {{id: len, use: length}}
metrics:
  - {{id: bad, rate: kw.matched}}
gates:
  - {{metric: bad, max: 0.5, require_reviewed: true}}
review:
{review}
"""
FIRST_REVIEW_LINE = 13

MISTAKES = [
    ("  label: nope.matched", "review.label", "unknown name 'nope'"),
    ("  label: kw.matched\n  flag: kw.nothing", "review.flag", "has no field 'nothing'"),
    ("  label: len.words", "review.label", "'len.words' is a number, not a condition"),
    (
        "  label: kw.matched\n  band: {value: zz.score, low: 0.3, high: 0.7}",
        "review.band.value",
        "unknown name 'zz'",
    ),
    ("  label: human.label", "review.label", "a person's verdict"),
    ("  label: kw.matched\n  flag: human.reviewed", "review.flag", "a person's verdict"),
]


@pytest.mark.parametrize(("review", "field", "message"), MISTAKES)
def test_a_review_expression_that_cannot_work_is_refused_at_its_line(
    tmp_path, review: str, field: str, message: str
) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE.format(review=review), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_suite(path)
    issues = [i for i in caught.value.issues if i.field == field]
    assert len(issues) == 1, caught.value.issues
    (issue,) = issues
    assert message in issue.message, issue
    offset = review.count("\n") if field != "review.label" else 0
    assert issue.line == FIRST_REVIEW_LINE + offset, issue


@pytest.mark.parametrize(
    "review",
    [
        "  label: kw.matched",
        "  label: len.words > 5\n  flag: kw.matched or len.words > 40",
        "  label: kw.matched\n  band: {value: len.words, low: 3, high: 7}",
    ],
)
def test_a_review_policy_that_can_work_still_loads(tmp_path, review: str) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE.format(review=review), encoding="utf-8")
    assert load_suite(path).suite.review is not None


def test_a_text_that_says_human_is_no_verdict_read(tmp_path) -> None:
    path = tmp_path / "suite.yaml"
    review = "  label: kw.matched\n  flag: \"response == 'human'\""
    path.write_text(SUITE.format(review=review), encoding="utf-8")
    assert load_suite(path).suite.review is not None
