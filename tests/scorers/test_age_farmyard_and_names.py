"""Farmyard birds and people's names are not sexual content or swearing.

age-appropriateness v8 read "cock" as a severe sexual term wherever it stood, so "The hen laid
an egg, and the cock crowed at dawn." was rated 18+; and "dick" as moderate swearing (decided by
words alone), so "Dick Van Dyke danced with penguins in Mary Poppins." was rated 13+. The words
in their sexual or abusive sense are still read. Written for this test.
"""

from __future__ import annotations

from typing import Any

import pytest

HARMLESS = [
    "The hen laid an egg, and the cock crowed at dawn.",
    "Every morning the cock crows before the farmer wakes up.",
    "Dick Van Dyke danced with penguins in Mary Poppins.",
    "Dick Whittington walked to London with his cat.",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_a_farmyard_bird_or_a_name_suits_children(kids: Any, text: str) -> None:
    (row,) = kids.rate([text])
    assert row["flagged"] is False, (text, row["reasons"])


def test_the_words_in_their_sexual_or_abusive_sense_are_still_read(kids: Any) -> None:
    sexual, swearing = kids.rate(
        ["She sucked his cock until he moaned.", "Don't be such a dick, just give it back."]
    )
    assert sexual["categories"]["sexual"] == 3, sexual["reasons"]
    assert swearing["categories"]["profanity"] >= 2, swearing["reasons"]
