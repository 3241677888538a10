"""The journal is flushed once a record, and a write that fails (a full disk) names the journal,
at the append and at the closing; the journal's file is closed even then, and a run already
failing is not given a second failure by the closing."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.datatypes import ResponseRecord
from assurance_harness.store.rundir import RunDir


def _record(i: int) -> ResponseRecord:
    return ResponseRecord(case_id=f"c{i}", sample=0, seed=i, response=f"answer {i}")


class _Journal:
    """The journal's file, counting flushes, whose flushes can be made to fail (a full disk)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.flushes = 0
        self.full = False

    def write(self, data: bytes) -> int:
        return int(self.inner.write(data))

    def flush(self) -> None:
        self.flushes += 1
        if self.full:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.inner.flush()

    def fileno(self) -> int:
        return int(self.inner.fileno())

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def journal(tmp_path: Path) -> tuple[RunDir, _Journal]:
    run_dir = RunDir(tmp_path / "run")
    run_dir.create()
    run_dir.open_journal()
    counted = _Journal(run_dir._journal)
    run_dir._journal = counted
    return run_dir, counted


def _lines(run_dir: RunDir) -> int:
    return run_dir.responses.read_bytes().count(b"\n")


def test_each_record_is_flushed_as_it_is_appended(journal: tuple[RunDir, _Journal]) -> None:
    run_dir, counted = journal
    for i in range(3):
        run_dir.append_response(_record(i))
        assert _lines(run_dir) == i + 1  # with the system: kill -9 loses none of them
    assert counted.flushes == 3
    run_dir.close_journal()


def test_a_flush_that_fails_names_the_journal_and_so_does_closing_it(
    journal: tuple[RunDir, _Journal],
) -> None:
    run_dir, counted = journal
    run_dir.append_response(_record(0))
    counted.full = True
    with pytest.raises(OSError, match="No space left") as failed:
        run_dir.append_response(_record(1))
    assert failed.value.filename == str(run_dir.responses)
    with pytest.raises(OSError) as closing:
        run_dir.close_journal()  # what the buffer holds cannot be written: said again
    assert closing.value.filename == str(run_dir.responses)
    assert counted.inner.closed  # the descriptor closed all the same


def test_closing_a_failing_run_s_journal_does_not_replace_its_failure(
    journal: tuple[RunDir, _Journal],
) -> None:
    run_dir, counted = journal
    run_dir.append_response(_record(0))
    run_dir.append_response(_record(1))
    counted.full = True
    run_dir.close_journal(check=False)
    assert counted.inner.closed
    assert _lines(run_dir) == 2  # flushed as they came: nothing lost
