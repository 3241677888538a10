"""Model-backed scorers given model files a careless or hostile user might: a model shorter than
its tokenizer claims, label names the model does not have, a config.json that is not one.

Tiny local models (random weights, real BERT tokenizer files); nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

from assurance_harness.datatypes import Case, ScoreInput, SuiteContext
from assurance_harness.scorers.detoxify_checkpoint import write_random_checkpoint
from assurance_harness.scorers.detoxify_scorer import DetoxifyParams, DetoxifyScorer
from assurance_harness.scorers.hf_classifier import HFClassifierParams, HFClassifierScorer

from .conftest import build_hf_classifier

CTX = SuiteContext("test", 0)
LONG = "word " * 2000
"""A response of 2,000 tokens: past a 64-position model, within its tokenizer's 512."""


def inputs(*texts: str) -> list[ScoreInput]:
    return [ScoreInput(Case(id="c", prompt="p"), 0, t, {}) for t in texts]


def test_a_response_longer_than_the_models_positions_is_truncated_to_them(
    tmp_path: Path,
) -> None:
    # The tokenizer files say 512 tokens (model_max_length), the model has 64 positions: a
    # long response was cut at 512 and the forward pass raised an internal error ("expanded
    # size of the tensor (512) must match ... (64)") that stopped the run at scoring.
    model = build_hf_classifier(tmp_path / "short", max_position_embeddings=64)
    scorer = HFClassifierScorer(HFClassifierParams(model_dir=str(model), max_length=10**9), CTX)
    rows = scorer.score(inputs("hello", LONG))
    assert len(rows) == 2 and all(0 <= rows[1][k] <= 1 for k in ("neutral", "toxic"))
    checkpoint = write_random_checkpoint(tmp_path / "detoxify", max_position_embeddings=64)
    detoxify = DetoxifyScorer(DetoxifyParams(checkpoint=str(checkpoint)), CTX)
    assert detoxify.score(inputs(LONG))[0]["toxicity"] is not None
