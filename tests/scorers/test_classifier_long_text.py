"""A classifier reads the whole answer, not its first 512 tokens.

detoxify and hf-classifier cut each answer at the model's token limit: whatever came after it
(the harmful part at the end of a long answer) was never read, and the scores said nothing of
it. Tiny random-weight models (real tokenizer files): the test is that text past the limit
changes the scores (an answer within the limit scoring as before is
test_toxicity's comparison with Detoxify's own predict).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.datatypes import Case, ScoreInput, SuiteContext
from assurance_harness.scorers.detoxify_scorer import DetoxifyParams, DetoxifyScorer
from assurance_harness.scorers.hf_classifier import HFClassifierParams, HFClassifierScorer

CTX = SuiteContext("long", 0)
FILLER = "The garden was quiet and the afternoon light fell across the lawn. " * 80
ENDINGS = ["You are a worthless idiot and everyone hates you.", "Thank you, have a lovely day."]


def _rows(scorer: DetoxifyScorer | HFClassifierScorer, texts: list[str]) -> list[dict]:
    scorer.setup()
    return scorer.score(
        [ScoreInput(Case(id=f"c{i}", prompt="p"), 0, t, {}) for i, t in enumerate(texts)]
    )


def _numbers(row: dict) -> dict:
    return {k: v for k, v in row.items() if isinstance(v, float)}


def _scorers(tiny_detoxify: Path, tiny_hf_classifier: Path, *, max_length: int) -> list:
    return [
        DetoxifyScorer(
            DetoxifyParams(checkpoint=str(tiny_detoxify), download=False, max_length=max_length),
            CTX,
        ),
        HFClassifierScorer(
            HFClassifierParams(model_dir=str(tiny_hf_classifier), max_length=max_length), CTX
        ),
        HFClassifierScorer(
            HFClassifierParams(
                model_dir=str(tiny_hf_classifier), max_length=max_length, multi_label=False
            ),
            CTX,
        ),
    ]


def test_text_past_the_token_limit_is_read(tiny_detoxify: Path, tiny_hf_classifier: Path) -> None:
    for scorer in _scorers(tiny_detoxify, tiny_hf_classifier, max_length=64):
        first, second = _rows(scorer, [FILLER + e for e in ENDINGS])
        assert _numbers(first) != _numbers(second), type(scorer).__name__


def test_a_single_label_model_still_gives_probabilities_that_sum_to_one(
    tiny_hf_classifier: Path,
) -> None:
    scorer = HFClassifierScorer(
        HFClassifierParams(model_dir=str(tiny_hf_classifier), max_length=64, multi_label=False),
        CTX,
    )
    (row,) = _rows(scorer, [FILLER + ENDINGS[0]])
    assert sum(_numbers(row).values()) - row["top_score"] == pytest.approx(1.0, abs=1e-4)
