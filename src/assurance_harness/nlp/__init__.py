"""Shared offline NLP resources (sentence embeddings) used by several scorers."""

from __future__ import annotations

from pathlib import Path

WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
"""The names transformers' ``from_pretrained`` looks for weights under (one file or shards)."""


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
