"""A dataset that changes while the suite loads it (a writer appending in a loop, a file
replaced by a rename) must not be recorded under a hash of bytes the run never read: the
hash is taken after the cases are parsed, so a file that grew between the two had its new
rows hashed as evidence for a run that never sent them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec import datasets, loader
from assurance_harness.store.files import sha256_file
from tests.store.inputfiles import appending_writer

SUITE = (
    "suite: grows\nversion: 1.0.0\ndataset: {path: cases.jsonl}\n"
    "scorers: [{id: n, use: length}]\nmetrics: [{id: w, mean: n.words}]\n"
)


def _change(data: Path, change: str) -> None:
    if change == "append":  # a writer appending a row just after the parse reached the end
        with data.open("a") as handle:
            handle.write('{"id": "b", "prompt": "never sent"}\n')
    else:  # an export job renaming a new file over the old one
        fresh = data.with_name("fresh.jsonl")
        fresh.write_text('{"id": "z", "prompt": "other"}\n')
        fresh.replace(data)


@pytest.mark.parametrize("change", ["append", "replace"])
def test_a_dataset_that_changes_while_it_is_parsed_is_refused_not_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    data = tmp_path / "cases.jsonl"
    data.write_text('{"id": "a", "prompt": "hi"}\n')
    real = datasets.collect

    def collect_then_change(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        _change(data, change)
        return result

    monkeypatch.setattr(datasets, "collect", collect_then_change)
    with pytest.raises(ConfigError) as caught:
        loader.load_suite(tmp_path / "suite.yaml")
    message = str(caught.value)
    assert "suite.yaml:3: dataset.path:" in message, message
    assert "cases.jsonl" in message and "changed while it was read" in message, message


@pytest.mark.parametrize("change", ["append", "replace"])
def test_a_dataset_changed_once_it_is_loaded_keeps_the_hash_of_what_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    data = tmp_path / "cases.jsonl"
    data.write_text('{"id": "a", "prompt": "hi"}\n')
    read = sha256_file(data)
    real = loader.load_dataset

    def load_then_change(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        _change(data, change)
        return result

    monkeypatch.setattr(loader, "load_dataset", load_then_change)
    loaded = loader.load_suite(tmp_path / "suite.yaml")
    assert [c.id for c in loaded.cases] == ["a"]
    assert loaded.dataset_files == [(data.resolve(), read)]


def test_a_dataset_left_alone_loads_with_its_hash(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    (tmp_path / "cases.jsonl").write_text('{"id": "a", "prompt": "hi"}\n')
    loaded = loader.load_suite(tmp_path / "suite.yaml")
    assert len(loaded.cases) == 1 and len(loaded.dataset_files) == 1


def test_the_suite_hash_is_of_the_bytes_parsed_not_of_the_file_after_its_dataset_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The suite's SHA-256 (the run's and the evidence's name for "what ran") was taken once the
    # datasets had loaded, seconds after the parse for a large one: a suite saved meanwhile was
    # recorded under the new file's hash, with the old file's gates and metrics.
    import hashlib

    suite = tmp_path / "suite.yaml"
    suite.write_text(SUITE)
    parsed = suite.read_bytes()
    (tmp_path / "cases.jsonl").write_text('{"id": "a", "prompt": "hi"}\n')
    real = loader.load_dataset

    def load_while_the_suite_is_saved(*args: Any, **kwargs: Any) -> Any:
        suite.write_text(SUITE + "gates: [{metric: w, max: 100}]\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "load_dataset", load_while_the_suite_is_saved)
    loaded = loader.load_suite(suite)
    assert loaded.sha256 == hashlib.sha256(parsed).hexdigest()
    assert loaded.sha256 != sha256_file(suite)


WRITER = appending_writer("prompt")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux's /proc/self/io")
def test_a_writer_appending_faster_than_the_parse_does_not_keep_the_load_reading(
    tmp_path: Path,
) -> None:
    # The parse read on to the end of the file, wherever that was by then: a writer appending
    # faster than rows are parsed kept 'validate' reading (and holding what it read) for as
    # long as it wrote. What is read now ends at the size the file had when the load began.
    import subprocess
    import sys

    from tests.store.test_bounded_reads import _bytes_read

    (tmp_path / "suite.yaml").write_text(SUITE)
    data = tmp_path / "cases.jsonl"
    data.write_text("".join(f'{{"id": "c{i}", "prompt": "{"hi " * 30}"}}\n' for i in range(8000)))
    start = data.stat().st_size  # about 850 kB
    loader.load_suite(tmp_path / "suite.yaml")  # the modules imported once, not counted
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data)])
    try:
        while data.stat().st_size == start:  # the writer has begun
            pass
        before = _bytes_read()
        with pytest.raises(ConfigError) as caught:
            loader.load_suite(tmp_path / "suite.yaml")
        read = _bytes_read() - before
        still_writing = writer.poll() is None
    finally:
        writer.kill()
        writer.wait()
    assert "suite.yaml:3: dataset.path:" in str(caught.value), caught.value
    assert "changed while it was read" in str(caught.value), caught.value
    assert still_writing, "the load went on until the writer had finished"
    assert read < 6 * start, f"read {read:,} bytes of a file of {start:,} when the load began"


def test_a_dataset_linked_to_a_proc_file_is_refused_for_the_size_it_claims(
    tmp_path: Path,
) -> None:
    # /proc files say they hold 0 bytes and hold text: read no further than the size seen,
    # such a file would load as empty; what it holds beyond that is named instead.
    (tmp_path / "suite.yaml").write_text(SUITE.replace("cases.jsonl", "cases.jsonl, format: jsonl"))
    (tmp_path / "cases.jsonl").symlink_to("/proc/self/status")
    with pytest.raises(ConfigError) as caught:
        loader.load_suite(tmp_path / "suite.yaml")
    message = str(caught.value)
    assert "suite.yaml:3: dataset.path:" in message, message
    assert "holds more than its size says (0 bytes)" in message, message


def test_a_dataset_cut_short_while_it_is_parsed_is_changed_not_invalid_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cut mid-line after its first megabyte was read, the file's last line read was half a
    # row: the load blamed the file ("invalid JSON" at that line) for a writer's truncation.
    (tmp_path / "suite.yaml").write_text(SUITE)
    data = tmp_path / "cases.jsonl"
    row = '{"id": "c%d", "prompt": "%s"}\n'
    data.write_text("".join(row % (i, "hi " * 60) for i in range(12_000)))  # about 2.4 MB
    real = datasets._loads
    cut = []

    def loads_then_cut(*args: Any, **kwargs: Any) -> Any:
        if not cut:  # as the first row is parsed, a writer cuts the file mid-row
            cut.append(True)
            with data.open("r+b") as handle:
                handle.truncate(1_500_000 + 7)
        return real(*args, **kwargs)

    monkeypatch.setattr(datasets, "_loads", loads_then_cut)
    with pytest.raises(ConfigError) as caught:
        loader.load_suite(tmp_path / "suite.yaml")
    message = str(caught.value)
    assert "suite.yaml:3: dataset.path:" in message, message
    assert "changed while it was read" in message, message


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux's /proc/self/io")
def test_a_table_read_outside_a_suite_is_read_no_further_than_its_size_at_the_start(
    tmp_path: Path,
) -> None:
    # table_rows and jsonl_rows (a scorer check's labels, a scorer's exemplars) read on to
    # wherever the end was by then, for as long as a writer appended.
    import subprocess
    import sys

    from tests.store.test_bounded_reads import _bytes_read

    data = tmp_path / "labels.jsonl"
    data.write_text("".join(f'{{"id": "c{i}", "prompt": "{"hi " * 30}"}}\n' for i in range(8000)))
    start = data.stat().st_size
    assert sum(1 for _ in datasets.table_rows(data)) == 8000  # imports done, not counted
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data)])
    try:
        while data.stat().st_size == start:  # the writer has begun
            pass
        before = _bytes_read()
        with pytest.raises(ConfigError, match="changed while it was read"):
            for _ in datasets.table_rows(data):
                pass
        read = _bytes_read() - before
    finally:
        writer.kill()
        writer.wait()
    assert read < 3 * start, f"read {read:,} bytes of a file of {start:,} when reading began"


def test_locating_a_repeated_id_reads_the_dataset_no_further_than_its_size_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repeated id is located by reading the dataset again (``dataset_lines``). A writer
    appending to it meanwhile must not keep that read going: here each row read appends
    another, so a read to the end of the file would never end."""
    (tmp_path / "suite.yaml").write_text(SUITE)
    data = tmp_path / "cases.jsonl"
    data.write_text('{"id": "a", "prompt": "hi"}\n{"id": "a", "prompt": "again"}\n')
    real_load, real_matches = loader.load_dataset, datasets._matches
    reads = 0

    def matches_then_append(*args: Any) -> bool:
        nonlocal reads
        reads += 1
        if reads > 1000:
            raise AssertionError("the dataset was read past its size when the read began")
        with data.open("a") as handle:
            handle.write('{"id": "w", "prompt": "appended"}\n')
        return bool(real_matches(*args))

    def load_then_append(*args: Any, **kwargs: Any) -> Any:
        result = real_load(*args, **kwargs)
        monkeypatch.setattr(datasets, "_matches", matches_then_append)
        return result

    monkeypatch.setattr(loader, "load_dataset", load_then_append)
    with pytest.raises(ConfigError) as caught:
        loader.load_suite(tmp_path / "suite.yaml")
    message = str(caught.value)  # the file changed since it loaded: named without a line
    assert "cases.jsonl" in message and "duplicate case id 'a'" in message, message
