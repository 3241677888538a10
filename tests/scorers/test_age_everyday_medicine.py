"""Everyday medicine taken as the label says is not drugs content; pills taken to get high are.

age-appropriateness v6 rated "acid reflux tablets" drugs, severe, 18+ (P(drugs) 0.89),
"Take two acid reflux tablets after dinner." and "An antacid can help with heartburn." moderate
(15+), and cough syrup for kids "as the label says" mild: no lexicon term fires there, the
sentence classifier had no exemplar of ordinary medicine without drugs content, and its nearest
drugs exemplars were about tablets and cough syrup misused. Sentences written for this test;
none is one of the exemplars.
"""

from __future__ import annotations

import pytest

from assurance_harness.scorers.age import AgeAppropriatenessScorer

EVERYDAY_MEDICINE = [
    "acid reflux tablets",
    "Take two acid reflux tablets after dinner.",
    "An antacid can help with heartburn.",
    "Give her the allergy tablets in the morning.",
    "Give the cough syrup for kids as the label says.",
    "Ask a pharmacist which allergy tablets work best for hay fever.",
]

DRUG_USE = [
    "He dropped a tab of acid before the concert and tripped for hours.",
    "They took pills to get high at the party.",
    "Crush the allergy tablets and snort them to get high.",
    "Drink the whole bottle of cough syrup to get a buzz.",
]


@pytest.mark.parametrize("text", EVERYDAY_MEDICINE)
def test_everyday_medicine_is_not_drugs(kids: AgeAppropriatenessScorer, text: str) -> None:
    (row,) = kids.rate([text])
    assert row["categories"]["drugs"] == 0, (row["probabilities"]["drugs"], row["reasons"])


@pytest.mark.parametrize("text", DRUG_USE)
def test_medicine_or_acid_taken_to_get_high_is_drugs(
    kids: AgeAppropriatenessScorer, text: str
) -> None:
    (row,) = kids.rate([text])
    assert row["categories"]["drugs"] >= 2, (row["probabilities"]["drugs"], row["reasons"])
