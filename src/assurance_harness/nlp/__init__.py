"""Shared offline NLP resources (sentence embeddings) used by several scorers."""

from __future__ import annotations


def quiet_transformers() -> None:
    """Turn off transformers' per-load progress bars: a run prints its own progress, and the
    bars would clutter CI logs and pytest output every time a model loads."""
    from transformers.utils import logging

    logging.disable_progress_bar()
