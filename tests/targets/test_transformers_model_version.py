"""A transformers target's answers name the checkpoint as it is on disk, not only its folder:
weights retrained in place (same config, same sizes) kept the folder's name as the model
version and the target's fingerprint, so run records, the register and trend showed the
retrained model's runs as the same model's history. The fingerprint stays as it was (runs
recorded before still resume and match their baselines); the model version is what changes."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from assurance_harness.datatypes import GenerationRequest
from assurance_harness.targets.transformers_local import TransformersSpec, TransformersTarget


def _version_and_fingerprint(base: Path) -> tuple[str | None, str]:
    target = TransformersTarget(TransformersSpec(model="lm"), base_dir=str(base))

    async def main() -> str | None:
        await target.start()
        request = GenerationRequest(
            case_id="t1",
            sample=0,
            seed=0,
            messages=[{"role": "user", "content": "hi"}],
            params={"max_tokens": 1},
        )
        return (await target.generate(request)).model_version

    return asyncio.run(main()), target.fingerprint()


def test_weights_retrained_in_place_are_another_model_version(
    tiny_lm: Path, tmp_path: Path
) -> None:
    model = tmp_path / "lm"
    shutil.copytree(tiny_lm, model)
    before, fingerprint = _version_and_fingerprint(tmp_path)
    unchanged = TransformersTarget(TransformersSpec(model="lm"), base_dir=str(tmp_path))
    assert unchanged.model_version() == before  # stable while nothing changes
    weights = model / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # other weights, the same size (a retrained checkpoint)
    weights.write_bytes(bytes(data))
    stat = weights.stat()
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after, still = _version_and_fingerprint(tmp_path)
    assert still == fingerprint  # evidence recorded before keeps its target identity
    assert before is not None and after is not None
    assert before.startswith("lm@") and after.startswith("lm@")
    assert after != before
