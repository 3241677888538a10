"""The journal is flushed once a record (once a turn of the event loop, for the records that
come back in it), and a write that fails (a full disk) names the journal, at the append and at
the closing; the journal's file is closed even then, and a run already failing is not given a
second failure by the closing."""

from __future__ import annotations

import asyncio
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


def test_each_record_is_flushed_as_it_is_appended_outside_an_event_loop(
    journal: tuple[RunDir, _Journal],
) -> None:
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


# -- inside an event loop: the records of one turn of the loop in one write ---------------------


def _loops() -> list[Any]:
    """The loops a run sends on: the runner's (uvloop where installed) and asyncio's own."""
    loops: list[Any] = [asyncio.new_event_loop]
    try:
        import uvloop
    except ImportError:
        return loops
    return [*loops, uvloop.new_event_loop]


@pytest.mark.parametrize("new_loop", _loops())
def test_records_of_one_turn_of_the_event_loop_are_flushed_together_at_its_end(
    journal: tuple[RunDir, _Journal], new_loop: Any
) -> None:
    """Many answers come back in one turn of the runner's loop (14 a turn in the demo target's
    100,000-case run): one flush each cost a write system call each, about a tenth of the
    loop's time there. They are flushed together as the turn ends, before the loop waits or
    sends anything else, so a ``kill -9`` loses only records not yet out of the turn that
    received them, as it loses a response being received."""
    run_dir, counted = journal

    async def answers_come_back() -> None:
        for i in range(3):
            run_dir.append_response(_record(i))
        assert counted.flushes == 0  # still in the turn that received them
        await asyncio.sleep(0)  # the next turn begins with the flush
        assert counted.flushes == 1
        assert _lines(run_dir) == 3
        run_dir.append_response(_record(3))
        await asyncio.sleep(0)
        assert counted.flushes == 2
        assert _lines(run_dir) == 4

    loop = new_loop()
    try:
        loop.run_until_complete(answers_come_back())
    finally:
        loop.close()
    run_dir.close_journal()
    assert _lines(run_dir) == 4


def test_a_flush_failing_at_the_end_of_a_turn_fails_the_next_append(
    journal: tuple[RunDir, _Journal],
) -> None:
    """Not an error logged by the loop and lost: the run stops at its next record, as when the
    flush was the append's own, and the journal is named."""
    run_dir, counted = journal

    async def disk_fills() -> None:
        run_dir.append_response(_record(0))
        counted.full = True
        await asyncio.sleep(0)  # the turn's flush fails
        with pytest.raises(OSError, match="No space left") as failed:
            run_dir.append_response(_record(1))
        assert failed.value.filename == str(run_dir.responses)

    asyncio.run(disk_fills())
    run_dir.close_journal(check=False)
    assert counted.inner.closed


def test_a_flush_failing_at_the_end_of_the_last_turn_fails_the_closing(
    journal: tuple[RunDir, _Journal],
) -> None:
    """No record follows the failed flush (the last answers): the closing says it, even where
    the disk has room again by then."""
    run_dir, counted = journal

    async def last_answers() -> None:
        run_dir.append_response(_record(0))
        counted.full = True
        await asyncio.sleep(0)
        counted.full = False

    asyncio.run(last_answers())
    with pytest.raises(OSError, match="No space left") as closing:
        run_dir.close_journal()
    assert closing.value.filename == str(run_dir.responses)
    assert _lines(run_dir) == 1  # written at the closing: nothing lost


def test_a_loop_that_ends_before_its_turn_is_flushed_leaves_no_later_record_unflushed(
    journal: tuple[RunDir, _Journal],
) -> None:
    """A loop stopped and closed with the flush still to run (a run stopped at once): the
    records of a later loop (a retry round of the same run) are flushed all the same."""
    run_dir, counted = journal
    first = asyncio.new_event_loop()
    first.call_soon(run_dir.append_response, _record(0))
    first.call_soon(first.stop)
    first.run_forever()  # the flush was scheduled for the next turn, which never comes
    first.close()
    assert counted.flushes == 0

    async def later_round() -> None:
        run_dir.append_response(_record(1))
        await asyncio.sleep(0)

    asyncio.run(later_round())
    assert _lines(run_dir) == 2
    run_dir.close_journal()
