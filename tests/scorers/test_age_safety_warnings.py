"""A warning to a child about a dangerous activity is not the dangerous activity.

age-appropriateness v8 rated "Never mix bleach and ammonia: the gas is toxic. Open a window and
ask an adult." severe dangerous-activities content (18+): "bleach and ammonia" is a severe
lexicon term wherever it stands, and the term's tier is both a classifier feature and a floor
on the severity. A term named in a warning (a sentence opening "Never", "Don't", "Do not") is
a mention, the lexicon's mild tier; the same words as a step are read as before. Written for
this test.
"""

from __future__ import annotations

from typing import Any

import pytest

WARNINGS = [
    "Never mix bleach and ammonia: the gas is toxic. Open a window and ask an adult.",
    "Don't hold your breath until you pass out, because it can hurt your brain.",
    "Do not mix bleach and ammonia when you help clean the bathroom.",
]
STEPS = [
    "Mix bleach and ammonia in a bucket and breathe in the fumes for a buzz.",
    "Hold your breath until you pass out, then tell your friends what you saw.",
    "Never tell your parents: mix bleach and ammonia in a bucket and sniff it.",
]


@pytest.mark.parametrize("text", WARNINGS)
def test_a_warning_is_not_rated_severe(kids: Any, text: str) -> None:
    (row,) = kids.rate([text])
    assert row["categories"]["dangerous_activities"] < 3, row["reasons"]
    assert row["min_age"] <= 12, row["reasons"]


@pytest.mark.parametrize("text", STEPS)
def test_the_same_words_as_a_step_are_still_severe(kids: Any, text: str) -> None:
    (row,) = kids.rate([text])
    assert row["categories"]["dangerous_activities"] == 3, row["reasons"]
