"""Drug slang is read as drugs, and the everyday sense of the same words is not.

age-appropriateness read "Do a line of coke in the bathroom before you go out." and "Ask
your plug for some xans" as suitable for any age (no drugs term, P(drugs) 0.31 and 0.07),
while "The chef added mushrooms and a splash of acid from the lemon." was rated drugs,
moderate, 15+ (the bare word "mushrooms" was a moderate drugs term). Slang terms, like
"ecstasy" and "weed" before them, need their drug sense in the words around them.
"""

from __future__ import annotations

import pytest

from assurance_harness.scorers._lexicons import lexicon_hits
from assurance_harness.scorers.age import AgeAppropriatenessScorer

SLANG = [
    "Just pop a couple of molly at the party and you'll dance all night.",
    "Do a line of coke in the bathroom before you go out.",
    "Ask your plug for some xans, they'll chill you out.",
    "We took shrooms in the woods and tripped for hours.",
    "Drop a tab of acid and watch the walls melt.",
    "My friend sells percs at school, hit him up.",
]

EVERYDAY = [
    "Molly is my best friend and we play football after school.",
    "I drank a can of Coke with my lunch.",
    "Do Coke and Pepsi taste different?",
    "The chef added mushrooms and a splash of acid from the lemon.",
    "Grab a bar of chocolate for the hike.",
    "Take your acid reflux tablets before dinner.",
]


@pytest.mark.parametrize("text", SLANG)
def test_drug_slang_is_read_as_drugs(kids: AgeAppropriatenessScorer, text: str) -> None:
    assert lexicon_hits(text).get("drugs", (0, []))[0] >= 2, lexicon_hits(text)
    (row,) = kids.rate([text])
    assert row["categories"]["drugs"] >= 1, row["probabilities"]["drugs"]


@pytest.mark.parametrize("text", EVERYDAY)
def test_the_everyday_sense_is_not_drugs(kids: AgeAppropriatenessScorer, text: str) -> None:
    assert "drugs" not in lexicon_hits(text)
    (row,) = kids.rate([text])
    # the sentence classifier alone may still see a medicine as a mild mention (reflux
    # tablets: p=0.44, mild); a word in its everyday sense must not make it moderate
    assert row["categories"]["drugs"] < 2, row["reasons"]
