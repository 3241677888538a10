"""The temporary files of atomic writes: removed by the writer on any failure, an interrupt
too; by a stopped run for those its interrupt cut off; by ``--resume`` for a dead process's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assurance_harness.store import files
from assurance_harness.store.files import (
    AtomicStream,
    remove_pending_temporary_files,
    remove_stale_temporary_files,
    write_bytes_atomic,
)


def _interrupt_renames(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)


def test_an_interrupt_before_the_rename_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _interrupt_renames(monkeypatch)
    stream = AtomicStream(tmp_path / "results.jsonl")
    stream.write(b"{}\n")
    with pytest.raises(KeyboardInterrupt):
        stream.close()
    with pytest.raises(KeyboardInterrupt):
        write_bytes_atomic(tmp_path / "summary.json", b"{}\n")
    assert os.listdir(tmp_path) == []
    assert not files._pending


def test_a_stopped_run_removes_the_temporary_files_it_was_writing_in_its_folder(
    tmp_path: Path,
) -> None:
    (tmp_path / "run").mkdir()
    mine = AtomicStream(tmp_path / "run" / "results.jsonl")  # its writer cut off
    other = AtomicStream(tmp_path / "elsewhere.json")
    remove_pending_temporary_files(tmp_path / "run")
    assert os.listdir(tmp_path / "run") == []
    assert other.close() and (tmp_path / "elsewhere.json").exists()
    mine.handle.close()
    assert not files._pending


def test_only_the_temporary_files_of_atomic_writes_are_stale(tmp_path: Path) -> None:
    names = [
        ".summary.json.0a1b2c3d.tmp",  # this version's
        ".results.jsonl.k_9xq2zb.tmp",  # tempfile.mkstemp's, before it
        ".hidden",
        "notes.tmp",
        ".x.short.tmp",
        "results.jsonl",
    ]
    for name in names:
        (tmp_path / name).write_text("x")
    remove_stale_temporary_files(tmp_path)
    assert sorted(os.listdir(tmp_path)) == [".hidden", ".x.short.tmp", "notes.tmp", "results.jsonl"]
