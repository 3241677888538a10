"""The exemplar embeddings kept between runs: read back only where a fresh computation would give
the same bytes, never a damaged file, and nothing breaks where the folder cannot be written."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assurance_harness.nlp import exemplar_cache
from assurance_harness.nlp.exemplar_cache import cache_folder, kept_embeddings

TEXTS = ["I can't help with that.", "Sure, here is how.", "Ask a trusted adult."]
BY = {"model_files_sha256": "ab" * 32, "torch": "2.13.0", "threads": 1}


class Counting:
    """A stand-in for ``SentenceEmbedder.encode`` that counts its calls (the real one is
    checked below)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        rng = np.random.default_rng(len(texts))
        return rng.standard_normal((len(texts), 4)).astype(np.float32)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASSURANCE_CACHE_DIR", str(tmp_path / "cache"))
    found = cache_folder()
    assert found is not None
    return found


def test_a_second_call_reads_the_same_arrays_back_without_computing(folder: Path) -> None:
    compute = Counting()
    first = kept_embeddings(TEXTS, BY, compute)
    second = kept_embeddings(TEXTS, BY, compute)
    assert compute.calls == 1
    assert first.tobytes() == second.tobytes() and second.dtype == np.float32
    assert len(list(folder.glob("*.npy"))) == 1


@pytest.mark.parametrize(
    ("texts", "by"),
    [
        (list(reversed(TEXTS)), BY),  # the same texts in another order
        ([*TEXTS[:2], TEXTS[2] + " "], BY),  # one text edited
        (["I can't help with that.Sure, here is how.", "Ask a trusted adult."], BY),  # rejoined
        (TEXTS, {**BY, "model_files_sha256": "cd" * 32}),  # weights edited in place
        (TEXTS, {**BY, "threads": 2}),  # a product's rounding may change
    ],
)
def test_anything_the_arrays_depend_on_changes_the_key(
    folder: Path, texts: list[str], by: dict[str, object]
) -> None:
    compute = Counting()
    kept_embeddings(TEXTS, BY, compute)
    kept_embeddings(texts, by, compute)
    assert compute.calls == 2


@pytest.mark.parametrize("damage", ["cut short", "one byte altered", "not an array", "empty"])
def test_a_damaged_file_is_computed_again_and_rewritten(folder: Path, damage: str) -> None:
    compute = Counting()
    expected = kept_embeddings(TEXTS, BY, compute)
    (stored,) = folder.glob("*.npy")
    raw = stored.read_bytes()
    if damage == "cut short":
        stored.write_bytes(raw[:-10])
    elif damage == "one byte altered":
        stored.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))
    elif damage == "not an array":
        payload = b"not numpy"
        stored.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    else:
        stored.write_bytes(b"")
    again = kept_embeddings(TEXTS, BY, compute)
    assert compute.calls == 2
    assert again.tobytes() == expected.tobytes()
    assert stored.read_bytes() == raw  # rewritten whole
    kept_embeddings(TEXTS, BY, compute)
    assert compute.calls == 2


def test_an_array_of_another_shape_under_the_key_is_not_used(folder: Path) -> None:
    compute = Counting()
    kept_embeddings(TEXTS, BY, compute)
    (stored,) = folder.glob("*.npy")
    exemplar_cache._write(stored, np.zeros((2, 4), dtype=np.float32))  # sound, but two rows
    assert kept_embeddings(TEXTS, BY, compute).shape == (3, 4)
    assert compute.calls == 2


def test_a_cache_folder_that_is_a_file_only_means_computing_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("ASSURANCE_CACHE_DIR", str(blocker))
    compute = Counting()
    kept_embeddings(TEXTS, BY, compute)
    kept_embeddings(TEXTS, BY, compute)
    assert compute.calls == 2 and blocker.read_text() == "x"


def test_an_empty_setting_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSURANCE_CACHE_DIR", "")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    compute = Counting()
    kept_embeddings(TEXTS, BY, compute)
    kept_embeddings(TEXTS, BY, compute)
    assert compute.calls == 2
    assert not any(tmp_path.rglob("*.npy"))


def test_without_a_setting_the_users_cache_folder_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ASSURANCE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "assurance-harness" / "exemplar-embeddings"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_folder() == tmp_path / ".cache" / "assurance-harness" / "exemplar-embeddings"


def test_no_home_folder_at_all_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Was: HOME unset for a user the user database does not list (a container started under
    an arbitrary uid) made ``Path.home()`` raise RuntimeError as the first refusal, age or
    solicitation score was computed: an internal error after every case was sent."""
    import pwd

    def unlisted(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    for name in ("ASSURANCE_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pwd, "getpwuid", unlisted)  # the system's user database: no entry
    with pytest.raises(RuntimeError):  # what the cache folder was looked up from
        Path.home()
    assert cache_folder() is None
    compute = Counting()
    kept_embeddings(TEXTS, BY, compute)
    assert compute.calls == 1


def test_the_real_embedder_reads_back_the_bytes_it_computes(folder: Path) -> None:
    """What a fit reads from the cache is, bit for bit, what ``encode`` computes."""
    from assurance_harness.nlp.embeddings import get_embedder

    embedder = get_embedder()
    fresh = embedder.encode(TEXTS)
    stored = embedder.encode_exemplars(TEXTS)  # a miss: computed and kept
    read = embedder.encode_exemplars(TEXTS)  # a hit
    assert len(list(folder.glob("*.npy"))) == 1
    assert fresh.tobytes() == stored.tobytes() == read.tobytes()
