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
