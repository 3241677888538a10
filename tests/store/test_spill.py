"""Arrays kept in temporary files read back exactly; the external sort equals numpy's stable
sort, and key lookups answer as a search of the sorted keys in memory."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from assurance_harness.store import spill
from assurance_harness.store.spill import SortedColumns, SpillArray, TempFile


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spill, "BLOCK", 128)  # many blocks and buckets from a few rows
    monkeypatch.setattr(spill, "SORT_ROWS", 100)
    monkeypatch.setattr(spill, "FENCE", 8)


@pytest.mark.parametrize("positional", [True, False], ids=["pread", "seek (Windows)"])
def test_append_read_write_and_pickle(small_blocks, monkeypatch, positional: bool) -> None:
    monkeypatch.setattr(spill, "_POSITIONAL", positional)
    values = np.random.default_rng(1).normal(size=1000)
    column = SpillArray("d")
    for v in values[:300].tolist():
        column.append(v)
    column.extend(values[300:650])
    column.extend(array_like := values[650:].tolist())
    assert len(array_like) == 350 and len(column) == 1000
    assert np.array_equal(column.numpy(), values)
    assert np.array_equal(column.read(120, 990), values[120:990])
    column.write(5, np.array([1.5, 2.5]))
    values[5:7] = [1.5, 2.5]
    assert np.array_equal(column.read(0, 10), values[:10])
    assert np.array_equal(pickle.loads(pickle.dumps(column)).numpy(), values)
    filled = SpillArray.filled("q", 300, -1)
    assert filled.count(-1) == 300 and len(filled) == 300
    column.close()


def test_temp_file_round_trip_both_ways() -> None:
    for positional in (True, False):
        handle = TempFile(positional=positional)
        handle.write(b"hello world", 3)
        buffer = bytearray(5)
        handle.read_into(memoryview(buffer), 9)
        assert handle.read(5, 3) == b"hello" and bytes(buffer) == b"world"
        handle.close()


def test_external_sort_is_numpys_stable_sort(small_blocks) -> None:
    rng = np.random.default_rng(2)
    keys = rng.integers(-(2**63), 2**63 - 1, size=2000, dtype=np.int64)
    keys[100:110] = keys[5]  # one key many times, across blocks: file order kept
    keys[1500] = np.iinfo(np.int64).min
    keys[1501] = np.iinfo(np.int64).max
    columns = [SpillArray("q"), SpillArray("q")]
    columns[0].extend(keys)
    columns[1].extend(np.arange(keys.size))
    ordered = SortedColumns.sort(columns)
    order = np.argsort(keys, kind="stable")
    assert np.array_equal(ordered.columns[0].numpy(), keys[order])
    assert np.array_equal(ordered.columns[1].numpy(), order)
    start, stop = ordered.equal_range(int(keys[5]))
    assert np.array_equal(ordered.columns[1].read(start, stop), [5, *range(100, 110)])
    assert ordered.equal_range(12345) == (ordered.equal_range(12345)[0],) * 2
    queries = np.concatenate((keys[::7], [3, 4, keys[5]]))
    first = {int(k): int(i) for i, k in reversed(list(enumerate(keys)))}
    expected = [first.get(int(q), -1) for q in queries]
    assert ordered.lookup(queries, 1).tolist() == expected
    for key in keys[::97].tolist():
        start, stop = ordered.equal_range(key)
        assert ordered.columns[1].read(start, stop).tolist() == np.flatnonzero(keys == key).tolist()


def test_a_bucket_check_may_raise_and_nothing_is_left_open(small_blocks) -> None:
    keys = SpillArray("q")
    keys.extend(np.array([3, 1, 3, 2] * 100, dtype=np.int64))

    def unique(arrays: list[np.ndarray]) -> list[np.ndarray]:
        if (arrays[0][1:] == arrays[0][:-1]).any():
            raise spill.KeyCollision
        return arrays

    with pytest.raises(spill.KeyCollision):
        SortedColumns.sort([keys], each_bucket=unique)


def test_repeated_keys_are_the_keys_of_repeated_strings(small_blocks) -> None:
    texts = [f"id{i}" for i in range(700)] + ["id3", "id650", "id3"]
    assert spill.repeated_keys(texts) == {spill.key64("id3"), spill.key64("id650")}
    assert spill.repeated_keys([]) == set()


@pytest.mark.parametrize("size", [0, 5, 128, 300, 700])
def test_repeated_in_one_block_or_sorted_on_disk_finds_the_same_keys(small_blocks, size) -> None:
    """A column of up to ``BLOCK`` keys is counted in memory (no sort files, no numpy before a
    small run's first request), a longer one sorted on disk: the same answer either way."""
    keys = [i % 97 for i in range(size)] + [5000, 7, 5000]
    column = SpillArray("q")
    column.extend(keys)
    expected = {k for k in keys if keys.count(k) > 1}
    assert spill.repeated_in(column) == expected


@pytest.mark.parametrize("typecode", ["b", "i", "q", "d"])
def test_read_list_is_read_as_a_list_across_written_and_buffered_items(
    small_blocks, typecode: str
) -> None:
    column = SpillArray(typecode)
    column.extend([i % 100 for i in range(300)])  # two blocks written, the rest buffered
    column.append(7)
    for start, stop in [(0, 301), (0, 0), (5, 130), (127, 129), (250, 301), (290, 999), (9, 3)]:
        assert column.read_list(start, stop) == column.read(start, stop).tolist()
    filled = SpillArray.filled(typecode, 300, -1 if typecode != "d" else 0.5)
    assert (
        filled.read_list(0, 300)
        == filled.read(0, 300).tolist()
        == [filled.read_list(0, 1)[0]] * 300
    )


def test_arrays_sharing_one_file_keep_their_own_items(small_blocks) -> None:
    shared = spill.SpillFile()
    numbers, flags = SpillArray("d", shared=shared), SpillArray("b", shared=shared)
    gaps = SpillArray.sized("q", 300, shared=shared)
    for i in range(1000):  # interleaved: their extents alternate in the file
        numbers.append(i / 3)
        flags.append(i % 3)
        if i % 10 == 0:
            numbers.flush()
    gaps.write(250, np.arange(50))
    assert np.array_equal(numbers.numpy(), np.arange(1000) / 3)
    assert np.array_equal(flags.numpy(), np.arange(1000) % 3)
    assert gaps.read(240, 300).tolist() == [0] * 10 + list(range(50))
    numbers.close()  # a shared file stays open until its owner closes it
    assert flags.read(998, 1000).tolist() == [2, 0]
    shared.close()
