"""The response cache keys a transformers target's answers on the bytes of its model files, not
their modification times. Keyed on (name, size, mtime), weights replaced by others of the same
size with the old mtime kept (``cp -p``, ``rsync -a``, ``tar x``, a restored backup,
``touch -r``) served the old model's cached answers as the new model's evidence; and a
``touch`` of unchanged weights threw a valid cache away."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from assurance_harness.runner.run import run_suite

SUITE = (
    "suite: content-key\ncases:\n"
    "  - {id: c1, prompt: what is a volcano}\n"
    "scorers: [{id: m, use: regex, with: {pattern: a}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0}]\n"
)


@pytest.fixture
def workspace(tiny_lm: Path, tmp_path: Path) -> Path:
    shutil.copytree(tiny_lm, tmp_path / "lm")
    (tmp_path / "t.yaml").write_text(
        "type: transformers\nmodel: lm\ngeneration: {max_tokens: 2}\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    return tmp_path


def _rows(root: Path) -> dict[str, tuple[bool, str]]:
    """Each case's (cached, model_version) in a fresh run of the suite."""
    outcome = run_suite(
        root / "s.yaml", root / "t.yaml", reports_dir=root / "reports", write_reports=False
    )
    rows = [json.loads(line) for line in (outcome.run_dir / "results.jsonl").open()]
    return {row["case_id"]: (row["cached"], row["model_version"]) for row in rows}


def test_other_weights_of_the_same_size_and_mtime_are_not_served_from_the_cache(
    workspace: Path,
) -> None:
    first = _rows(workspace)
    assert {cached for cached, _ in first.values()} == {False}, first
    weights = workspace / "lm" / "model.safetensors"
    kept = weights.stat()
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # other weights, the same size
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(kept.st_atime_ns, kept.st_mtime_ns))  # as cp -p / rsync -a keep it
    assert weights.stat().st_size == kept.st_size
    assert weights.stat().st_mtime_ns == kept.st_mtime_ns
    second = _rows(workspace)
    assert {cached for cached, _ in second.values()} == {False}, second
    (old_version,) = {version for _, version in first.values()}
    (new_version,) = {version for _, version in second.values()}
    assert new_version != old_version


def test_touched_but_unchanged_model_files_keep_their_cached_answers(workspace: Path) -> None:
    first = _rows(workspace)
    for item in (workspace / "lm").iterdir():
        kept = item.stat()
        os.utime(item, ns=(kept.st_atime_ns, kept.st_mtime_ns + 5_000_000_000))  # a touch
    second = _rows(workspace)
    assert second == {case: (True, version) for case, (_, version) in first.items()}, second


def test_a_loaded_target_keys_on_the_weights_it_loaded(workspace: Path) -> None:
    """The files are read for the key once, as the model loads: weights written after it keep
    the key of the weights answering (those loaded), and a target not loaded reads them now."""
    import asyncio

    from assurance_harness.targets.transformers_local import TransformersSpec, TransformersTarget

    target = TransformersTarget(TransformersSpec(model="lm"), base_dir=str(workspace))
    loaded = target.cache_fingerprint()
    asyncio.run(target.start())
    weights = workspace / "lm" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert target.cache_fingerprint() == loaded  # the weights answering are the loaded ones
    fresh = TransformersTarget(TransformersSpec(model="lm"), base_dir=str(workspace))
    assert fresh.cache_fingerprint() != loaded
    asyncio.run(target.close())
    assert target.cache_fingerprint() == fresh.cache_fingerprint()


def test_a_change_between_the_pieces_of_a_large_file_written_anew_is_not_served_from_the_cache(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file over the whole-file size is read in pieces; a change between them (a small tensor
    of a large shard trained again) keeps the content digest, so its new mtime must count."""
    from assurance_harness.targets import transformers_local

    monkeypatch.setattr(transformers_local, "WHOLE_FILE_BYTES", 1024)
    monkeypatch.setattr(transformers_local, "SAMPLES", 2)
    monkeypatch.setattr(transformers_local, "SAMPLE_BYTES", 16)
    first = _rows(workspace)
    weights = workspace / "lm" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF  # between the first and the last 16 bytes, the two pieces read
    stamp = weights.stat().st_mtime_ns
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(stamp + 10**9, stamp + 10**9))  # written anew, a later time
    second = _rows(workspace)
    assert {cached for cached, _ in second.values()} == {False}, second
    assert second == {case: (False, version) for case, (_, version) in first.items()}
