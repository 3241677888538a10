"""Shared offline NLP resources (sentence embeddings) used by several scorers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
"""The names transformers' ``from_pretrained`` looks for weights under (one file or shards)."""
CONFIG_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
)
"""The names ``from_pretrained`` reads a model's config and tokenizer settings from; the
tokenizer's vocabulary files are its own (``vocab_files_names``: vocab.txt, merges.txt ...)."""


def quiet_transformers() -> None:
    """Turn off transformers' per-load progress bars: a run prints its own progress, and the
    bars would clutter CI logs and pytest output every time a model loads."""
    from transformers.utils import logging

    logging.disable_progress_bar()


def model_load_faults() -> tuple[type[BaseException], ...]:
    """What a model folder's files make ``from_pretrained`` raise: a missing or unreadable file
    (OSError), a config or tokenizer it cannot read (ValueError, KeyError, RecursionError for
    JSON nested too deep), weights cut short (safetensors' own SafetensorError) or of other
    shapes than config.json says (RuntimeError). Each escaped as an internal error, "a bug",
    where it is the user's file that is wrong."""
    from safetensors import SafetensorError

    return (OSError, ValueError, KeyError, RecursionError, RuntimeError, SafetensorError)


def model_load_fault(exc: BaseException) -> str:
    """A :func:`model_load_faults` failure in one line (transformers' run to paragraphs, and its
    shape mismatch says only "look at the above report")."""
    if isinstance(exc, RuntimeError) and "mismatched_sizes" in str(exc):
        return "its weights do not have the shapes config.json gives (saved from another model?)"
    lines = f"{type(exc).__name__}: {exc}".splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def missing_weights(model_dir: Path) -> str | None:
    """Why ``model_dir`` holds no weights ``from_pretrained`` would load, or None: checked at
    ``validate`` (a folder with config.json alone passed it, and the run failed on starting).
    A weights file that is there but damaged is found when the model loads."""
    if any((model_dir / name).is_file() for name in WEIGHT_FILES):
        return None
    return f"{model_dir} holds no weights ({' or '.join(WEIGHT_FILES[::2])})"


def config_files(tokenizer: Any) -> set[str]:
    """The files of a model folder that its config and this loaded ``tokenizer`` were read from
    (those of them that are there)."""
    own = getattr(tokenizer, "vocab_files_names", None)
    return set(CONFIG_FILES) | {str(n) for n in (own.values() if isinstance(own, dict) else [])}


def weight_files(model_dir: Path) -> set[str]:
    """The files of a model folder ``from_pretrained`` may read weights from: :data:`WEIGHT_FILES`
    and the shards an index names."""
    import json

    names = set(WEIGHT_FILES)
    for index in WEIGHT_FILES[1::2]:
        try:
            shards = json.loads((model_dir / index).read_text(encoding="utf-8"))["weight_map"]
            names |= {str(s) for s in shards.values()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            continue  # no index, or one the load itself will refuse
    return names


def files_sha256(directory: Path, names: Iterable[str]) -> str:
    """SHA-256 of the content a model was loaded from: each of ``names`` that is a file in
    ``directory``, its name and its bytes' own SHA-256 (``store.files.sha256_file``, streamed),
    in sorted order. Where the folder lies plays no part, nor what else is in it: the identity
    a run records of a local model (``scorers.configured.LOCATED_BY``). Computed once per
    loaded model, beside it."""
    import hashlib

    from ..store.files import sha256_file

    digest = hashlib.sha256()
    for name in sorted(set(names)):
        path = directory / name
        if Path(name).name == name and path.is_file():
            digest.update(f"{name}\0{sha256_file(path)}\n".encode())
    return digest.hexdigest()
