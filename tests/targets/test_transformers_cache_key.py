"""The response cache keys a transformers target's answers on its checkpoint as it is on disk:
weights saved again at the same path (fine-tuned, retrained) have the same file sizes and the
same config.json, which was all the target's digest read, so the cache served the previous
weights' answers as the new model's (``cached 2`` of 2, every answer the old model's)."""

from __future__ import annotations

import shutil
from pathlib import Path

from assurance_harness.targets.transformers_local import TransformersSpec, TransformersTarget


def test_weights_saved_again_at_the_same_path_are_another_cache_key(
    tiny_lm: Path, tmp_path: Path
) -> None:
    model = tmp_path / "lm"
    shutil.copytree(tiny_lm, model)
    target = TransformersTarget(TransformersSpec(model="lm"), base_dir=str(tmp_path))
    before = target.cache_fingerprint()
    assert target.cache_fingerprint() == before  # stable while nothing changes
    weights = model / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # other weights, the same size (a retrained checkpoint)
    weights.write_bytes(bytes(data))
    assert target.cache_fingerprint() != before
