"""Length-sorted batch inference for sequence classifiers (Detoxify, local HF classifiers).

Texts are tokenized once, sorted by token length and padded per batch, so a batch holds texts
of similar length and little compute is spent on padding; results come back in input order.
"""

from __future__ import annotations

from typing import Any


def classify_sorted(
    tokenizer: Any,
    model: Any,
    texts: list[str],
    *,
    batch_size: int,
    max_length: int,
    multi_label: bool = True,
) -> list[list[float]]:
    """Per-text label probabilities: sigmoid per label (``multi_label``) or softmax over labels.

    ``max_length`` is capped at the tokenizer's ``model_max_length``, since longer inputs would
    overrun the model's position embeddings.
    """
    import torch

    if not texts:
        return []
    limit = min(max_length, int(getattr(tokenizer, "model_max_length", max_length) or max_length))
    encoded = tokenizer(list(texts), truncation=True, max_length=limit)["input_ids"]
    order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
    device = next(model.parameters()).device
    out: list[list[float]] = [[] for _ in texts]
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            batch = tokenizer.pad(
                {"input_ids": [encoded[i] for i in idx]}, padding=True, return_tensors="pt"
            ).to(device)
            logits = model(**batch).logits.float()
            probs = torch.sigmoid(logits) if multi_label else torch.softmax(logits, dim=-1)
            for i, row in zip(idx, probs.cpu().tolist(), strict=True):
                out[i] = row
    return out
