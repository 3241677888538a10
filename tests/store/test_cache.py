"""The SQLite response cache: what the key covers, batched writes, and sharing across processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.store.cache import ResponseCache, key_for


def req(**changes: object) -> GenerationRequest:
    fields: dict[str, object] = {
        "case_id": "c1",
        "sample": 0,
        "seed": 5,
        "messages": [{"role": "user", "content": "hello"}],
        "params": {"temperature": 0.7, "max_tokens": 20},
        "metadata": {"group": "girl"},
    }
    fields.update(changes)
    return GenerationRequest(**fields)  # type: ignore[arg-type]


def test_key_covers_what_decides_the_response_and_nothing_else() -> None:
    base = key_for("fp1", req())
    assert len(base) == 64
    assert key_for("fp1", req()) == base
    # Same conversation and parameters under another case id or metadata: same answer.
    assert key_for("fp1", req(case_id="other", metadata={})) == base
    # Parameter order does not matter.
    assert key_for("fp1", req(params={"max_tokens": 20, "temperature": 0.7})) == base
    for changed in (
        key_for("fp2", req()),
        key_for("fp1", req(seed=6)),
        key_for("fp1", req(sample=1)),
        key_for("fp1", req(params={"temperature": 0.8, "max_tokens": 20})),
        key_for("fp1", req(messages=[{"role": "user", "content": "hello!"}])),
    ):
        assert changed != base
    # A target that may read the metadata (a callable's function): in the key where there is
    # any; a case without it keeps the key it had.
    assert key_for("fp1", req(), metadata=True) != base
    assert key_for("fp1", req(metadata={"group": "boy"}), metadata=True) != key_for(
        "fp1", req(), metadata=True
    )
    assert key_for("fp1", req(metadata={}), metadata=True) == base


def test_round_trip_buffered_then_committed(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    response = GenerationResponse(
        text="hi", model_version="m-1", finish_reason="stop", usage={"total_tokens": 3}
    )
    cache = ResponseCache(path, flush_every=100, flush_interval_s=3600)
    cache.put("k", response)
    assert cache.get("k") == response  # visible before the batch commits
    other = ResponseCache(path)
    assert other.get("k") is None  # not yet committed
    cache.close()
    assert other.get("k") == response
    assert other.get("absent") is None
    assert (other.hits, other.misses) == (1, 2)
    other.close()


def test_batches_commit_when_full(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    writer = ResponseCache(path, flush_every=3, flush_interval_s=3600)
    reader = ResponseCache(path)
    for i in range(3):
        writer.put(f"k{i}", GenerationResponse(text=str(i)))
    assert reader.get("k2") == GenerationResponse(text="2")
    assert len(reader) == 3
    writer.close()
    reader.close()


def test_long_answers_commit_before_the_batch_is_full(tmp_path: Path) -> None:
    """The buffer is bounded by its answers' size as well as their number: a batch of
    thousands of long answers would otherwise be held in memory until it filled."""
    path = tmp_path / "c.db"
    writer = ResponseCache(path, flush_every=4096, flush_chars=1000, flush_interval_s=3600)
    reader = ResponseCache(path)
    writer.put("short", GenerationResponse(text="x" * 10))
    assert len(reader) == 0  # buffered
    writer.put("long", GenerationResponse(text="y" * 990))  # 1,000 characters buffered
    assert len(reader) == 2
    writer.put("next", GenerationResponse(text="z" * 999))  # the count starts again
    assert len(reader) == 2
    writer.close()
    reader.close()


WRITER = textwrap.dedent(
    """
    import sys
    from assurance_harness.datatypes import GenerationResponse
    from assurance_harness.store.cache import ResponseCache

    path, prefix = sys.argv[1], sys.argv[2]
    with ResponseCache(path, flush_every=7) as cache:
        for i in range(200):
            cache.put(f"{prefix}{i}", GenerationResponse(text=f"{prefix}{i}"))
    """
)


def test_two_processes_write_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    ResponseCache(path).close()
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), prefix]) for prefix in ("a", "b")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    with ResponseCache(path) as cache:
        assert len(cache) == 400
        assert cache.get("a199") == GenerationResponse(text="a199")
        assert cache.get("b0") == GenerationResponse(text="b0")
