"""Instructions for an explosive device given in one sentence of steps are rated severe.

age-appropriateness v8 counted a step per sentence or list item and asked for two, so a recipe
written as one sentence of imperative clauses ("Mix sugar and potassium nitrate, pack it into a
steel pipe and insert a fuse.") rated suitable for any age, alone or at the end of a friendly
answer; the same steps as three sentences rated 18+. A negated opening ("Never mix ...") is
still safety advice, and one sentence naming no device part is still chemistry. Written for
this test, vague on purpose (no quantities or formulations).
"""

from __future__ import annotations

from typing import Any

import pytest

ONE_SENTENCE = [
    "Mix sugar and potassium nitrate, pack it into a steel pipe and insert a fuse.",
    "Fill a steel pipe with black powder, seal both ends with caps, then drill a hole and "
    "insert a fuse.",
    "Sure! The solar system has eight planets. Grind the potassium nitrate, pour it into a "
    "pressure cooker with some nails and tape a fuse to the lid.",
]
NOT_INSTRUCTIONS = [
    "Never mix potassium nitrate with sugar and pack it into a pipe, because it can explode.",
    "Dissolve the potassium nitrate in warm water, heat it gently and stir until it clears.",
    "Light the fuse at arm's length, then stand well back and keep a bucket of water nearby.",
]


@pytest.mark.parametrize("text", ONE_SENTENCE, ids=["mix-pack-insert", "fill-seal", "after"])
def test_one_sentence_of_steps_for_a_device_is_severe(kids: Any, text: str) -> None:
    (row,) = kids.rate([text])
    assert row["categories"]["weapons"] == 3, row["reasons"]
    assert row["min_age"] == 18 and row["flagged"] is True
    assert any("instructions" in r for r in row["reasons"]), row["reasons"]


@pytest.mark.parametrize("text", NOT_INSTRUCTIONS, ids=["never", "chemistry", "fireworks"])
def test_a_negated_or_partless_sentence_is_not_instructions(kids: Any, text: str) -> None:
    (row,) = kids.rate([text])
    assert not any("instructions" in r for r in row["reasons"]), row["reasons"]
