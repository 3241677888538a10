"""Fixtures: tiny local models (random weights, real BERT tokenizer files) for scorer tests.

Built once per test session under a temporary directory; nothing is downloaded.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.datatypes import SuiteContext
from assurance_harness.scorers.detoxify_checkpoint import TOKENIZER_FILES, write_random_checkpoint


@pytest.fixture(scope="session")
def kids() -> Any:
    """The age-appropriateness scorer for an audience of 8-12, set up and warmed once a
    session (a file of its own may define its own ``kids``): the embedder's warm-up is outside
    the tests' time, and its rate() keeps no state between calls."""
    from assurance_harness.scorers.age import AgeAppropriatenessScorer, AgeParams

    scorer = AgeAppropriatenessScorer(
        AgeParams(), SuiteContext("age", 0, audience={"min_age": 8, "max_age": 12})
    )
    scorer.setup()
    scorer.rate(["A first answer, so the embedder's warm-up is outside the tests' time."])
    return scorer


@pytest.fixture(scope="session")
def tiny_detoxify(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Detoxify-format checkpoint (6 'original' labels) with its config/tokenizer directory."""
    return write_random_checkpoint(tmp_path_factory.mktemp("detoxify"), seed=1)


def build_hf_classifier(
    directory: Path,
    *,
    max_position_embeddings: int = 512,
    labels: tuple[str, ...] = ("neutral", "TOXIC", "Sexual Content"),
    problem_type: str | None = "multi_label_classification",
) -> Path:
    """A BERT classifier (by default 3-label, multi-label) saved with save_pretrained into
    ``directory``."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from assurance_harness.nlp.embeddings import model_dir

    directory.mkdir(parents=True, exist_ok=True)
    source = model_dir()
    for name in TOKENIZER_FILES:
        if (source / name).is_file():
            shutil.copy(source / name, directory / name)
    vocab = sum(1 for _ in (source / "vocab.txt").open(encoding="utf-8"))
    config = BertConfig(
        vocab_size=vocab,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=max_position_embeddings,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
        problem_type=problem_type,
    )
    torch.manual_seed(2)
    BertForSequenceClassification(config).save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_hf_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-label multi-label BERT classifier saved with save_pretrained."""
    return build_hf_classifier(tmp_path_factory.mktemp("hf-classifier"))
