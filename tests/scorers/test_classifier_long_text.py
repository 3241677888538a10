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
from assurance_harness.scorers._batched import classify_pieces
from assurance_harness.scorers.detoxify_scorer import DetoxifyParams, DetoxifyScorer
from assurance_harness.scorers.hf_classifier import HFClassifierParams, HFClassifierScorer

CTX = SuiteContext("long", 0)
FILLER = "The garden was quiet and the afternoon light fell across the lawn. " * 6
"""Past the 64-token limit: the part of the answer v1 read, the same in both answers."""
ENDINGS = ["You are a worthless idiot and everyone hates you.", "Thank you, have a lovely day."]


def _rows(scorer: DetoxifyScorer | HFClassifierScorer, texts: list[str]) -> list[dict]:
    scorer.setup()
    return scorer.score(
        [ScoreInput(Case(id=f"c{i}", prompt="p"), 0, t, {}) for i, t in enumerate(texts)]
    )


def _numbers(row: dict) -> dict:
    return {k: v for k, v in row.items() if isinstance(v, float)}


def test_detoxify_reads_text_past_the_token_limit(tiny_detoxify: Path) -> None:
    scorer = DetoxifyScorer(
        DetoxifyParams(checkpoint=str(tiny_detoxify), download=False, max_length=64), CTX
    )
    # the endings run to many pieces each (random weights: no label means anything)
    first, second = _rows(scorer, [FILLER + e * 15 for e in ENDINGS])
    assert _numbers(first) != _numbers(second)


def test_hf_classifier_reads_every_piece_of_a_long_text(tiny_hf_classifier: Path) -> None:
    # the tiny model's labels barely move with the text, so its pieces are compared directly
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_hf_classifier)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_hf_classifier)
    texts = [FILLER + e * 15 for e in ENDINGS]
    pieces = classify_pieces(tokenizer, model, texts, batch_size=8, max_length=64)
    assert all(len(rows) > 1 for rows in pieces)
    assert pieces[0][-1] != pieces[1][-1]  # the last piece is each answer's own end
    scorer = HFClassifierScorer(
        HFClassifierParams(model_dir=str(tiny_hf_classifier), max_length=64), CTX
    )
    (row,) = _rows(scorer, texts[:1])
    highest = [round(max(column), 6) for column in zip(*pieces[0], strict=True)]
    assert [row["neutral"], row["toxic"], row["sexual_content"]] == highest


def test_a_single_label_model_still_gives_probabilities_that_sum_to_one(
    tiny_hf_classifier: Path,
) -> None:
    scorer = HFClassifierScorer(
        HFClassifierParams(model_dir=str(tiny_hf_classifier), max_length=64, multi_label=False),
        CTX,
    )
    (row,) = _rows(scorer, [FILLER + ENDINGS[0]])
    assert sum(_numbers(row).values()) - row["top_score"] == pytest.approx(1.0, abs=1e-4)
