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


def test_a_copy_with_new_modification_times_is_the_same_model_version(
    tiny_lm: Path, tmp_path: Path
) -> None:
    """A checkpoint copied or fetched again (new modification times, the same bytes: a CI job's
    fresh download) is the same model: read as another version, every night's run would be
    flagged as a model change that never happened."""
    model = tmp_path / "lm"
    shutil.copytree(tiny_lm, model)
    before = TransformersTarget(TransformersSpec(model="lm"), base_dir=str(tmp_path))
    version = before.model_version()
    for item in model.iterdir():
        stat = item.stat()
        os.utime(item, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    again = TransformersTarget(TransformersSpec(model="lm"), base_dir=str(tmp_path))
    assert again.model_version() == version


def test_a_large_weights_file_changed_throughout_is_another_version(tmp_path: Path) -> None:
    """Over the size read whole, the file's bytes are read at spread-out places: a retrained
    checkpoint changes them all, and a change of size is seen whatever the bytes."""
    from assurance_harness.targets.transformers_local import WHOLE_FILE_BYTES, _content_stamp

    folder = tmp_path / "big"
    folder.mkdir()
    weights = folder / "model.safetensors"
    weights.write_bytes(bytes(range(256)) * ((WHOLE_FILE_BYTES + 4096) // 256))
    first = _content_stamp(folder)
    weights.write_bytes(bytes(255 - b for b in range(256)) * ((WHOLE_FILE_BYTES + 4096) // 256))
    assert _content_stamp(folder) != first
