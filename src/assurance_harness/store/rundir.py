"""A run's directory: the crash-safe response journal and the final result files.

The journal (``responses.jsonl``) is appended and flushed to the operating system per response,
so ``kill -9`` or a crash of the process loses at most the line being written (a torn last line
is ignored on resume). Inside an event loop (a run sending), the records that come back in one
turn of the loop are flushed together as the turn ends, in one write: a ``kill -9`` then loses
at most the records of the turn it lands in (received within that turn, as a response still
being received is lost), and their requests are sent again on resume. The journal is also
fsynced at most every ``FSYNC_INTERVAL_S`` and on close, so a power cut loses at most that
window, without an fsync per response on the hot path. A write that fails (a full disk, a file
size limit) names the journal and fails the append (or, for a turn's flush, the next append or
the closing), and the journal's file is closed even then.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..datatypes import Case, ResponseRecord
from ..errors import UsageError
from .files import (
    AtomicStream,
    check_regular_file,
    name_written_file,
    sha256_file,
    write_json_atomic,
)
from .runlog import CASES, MANIFEST, RESPONSES, RESULTS, RUN_STATE, SUMMARY, RunLogWriter

__all__ = ["FSYNC_INTERVAL_S", "RunDir", "write_json_atomic"]

FSYNC_INTERVAL_S = 0.5

JOURNAL_DAMAGED = "the run directory is damaged: start a new run"
"""The fix for a journal that is no regular file (its responses cannot be read back)."""

_RECORD_JSON = json.JSONEncoder(ensure_ascii=False)
"""``json.dumps(..., ensure_ascii=False)``, without making an encoder per response."""


class RunDir:
    """Paths and read/write helpers for ``reports/<run_id>/``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.run_json = path / RUN_STATE
        self.cases = path / CASES
        self.responses = path / RESPONSES
        self.results = path / RESULTS
        self.summary = path / SUMMARY
        self.manifest = path / MANIFEST
        self._journal: Any = None
        self._end = 0
        """The journal's size in bytes while it is open: where the next line goes."""
        self._last_sync = 0.0
        self._flush_on: asyncio.AbstractEventLoop | None = None
        """The event loop whose current turn ends with the journal's flush (none due: None)."""
        self._flush_fault: OSError | None = None
        """A turn's flush that failed: raised by the next append, or by the closing."""

    @property
    def run_id(self) -> str:
        return self.path.name

    def create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=False)

    def exists(self) -> bool:
        return self.run_json.exists()

    def write_cases(self, cases: Iterable[Case]) -> None:
        """Written a thousand cases at a time (the text of a million is 170 MB, and joining it
        held it twice)."""
        self.write_case_lines(_case_lines(cases))

    def write_case_lines(self, chunks: Iterable[bytes]) -> None:
        """``cases.jsonl`` from its lines, made beforehand (``CaseList.json_lines``), in
        chunks of whole lines."""
        stream = AtomicStream(self.cases)
        try:
            for chunk in chunks:
                stream.write(chunk)
        except BaseException:
            stream.abort()
            raise
        stream.close()

    def holds_cases(self, chunks: Iterable[bytes]) -> bool:
        """Whether ``cases.jsonl`` holds exactly these lines (``write_case_lines``' input):
        a resumed run checks that its suite still makes the cases it began with."""
        digest = hashlib.sha256()
        for chunk in chunks:
            digest.update(chunk)
        return digest.hexdigest() == sha256_file(self.cases)

    def holds_these_cases(self, cases: Iterable[Case]) -> bool:
        """:meth:`holds_cases` for cases (``write_cases``' input)."""
        return self.holds_cases(_case_lines(cases))

    def iter_cases(self) -> Iterator[Case]:
        """The run's cases, one at a time (a resumed run keeps them on disk: ``CaseList``)."""
        with self.cases.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    case = Case.model_validate_json(line)
                except ValidationError as exc:  # written atomically: only an edit or a bad disk
                    raise UsageError(
                        f"{self.cases}:{number}: {exc.errors()[0]['msg']}; the run directory is "
                        "damaged: start a new run"
                    ) from None
                yield case

    # -- journal -----------------------------------------------------------------------------
    def open_journal(self) -> None:
        self._repair_journal()
        # Bytes, not text: each line's offset is then known as it is written (what a fresh run's
        # journal index is made of, ``runner.journalnotes``), the same bytes on every platform.
        self._journal = self.responses.open("ab")
        self._end = self._journal.seek(0, os.SEEK_END)

    def _repair_journal(self) -> None:
        """Drop a torn final line left by a crash, so appends start on a fresh line (read from
        the end, a block at a time: the journal of a large run is hundreds of MB)."""
        check_regular_file(self.responses, JOURNAL_DAMAGED)
        if not self.responses.exists():
            return
        with self.responses.open("r+b") as handle:
            end = handle.seek(0, os.SEEK_END)
            cut = end
            while cut > 0:
                start = max(0, cut - 65536)
                handle.seek(start)
                block = handle.read(cut - start)
                if cut == end and block.endswith(b"\n"):
                    return  # not torn
                newline = block.rfind(b"\n")
                if newline >= 0:
                    cut = start + newline + 1
                    break
                cut = start
            handle.truncate(cut)

    def settled_journal_size(self) -> int:
        """The journal's size in bytes once a torn last line is cut off (where the next record
        goes): a retry of the run's errors notes it as the start of its records."""
        self._repair_journal()
        return self.responses.stat().st_size if self.responses.exists() else 0

    @property
    def journal_end(self) -> int:
        """The open journal's size in bytes: where the next record's line goes."""
        return self._end

    def append_response(self, record: ResponseRecord) -> None:
        """Append the record's line; flushed now, or inside an event loop as its turn ends
        (see the module's docstring): about 14 records a turn in the demo target's 100,000-case run,
        where a write system call each was about a tenth of the loop's time."""
        assert self._journal is not None, "open_journal() first"
        if self._flush_fault is not None:
            raise self._flush_fault
        line = (_RECORD_JSON.encode(record.to_dict()) + "\n").encode("utf-8")
        try:
            self._journal.write(line)
        except OSError as exc:
            raise self._named(exc) from None
        self._end += len(line)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: flushed now
            self._flush()
            return
        if self._flush_on is not loop:  # not yet due in this loop (a loop that ended before
            self._flush_on = loop  # its turn's flush ran does not count)
            loop.call_soon(self._flush_at_turn_end)

    def _flush(self) -> None:
        try:
            self._journal.flush()
            now = time.monotonic()
            if now - self._last_sync >= FSYNC_INTERVAL_S:
                os.fsync(self._journal.fileno())
                self._last_sync = now
        except OSError as exc:
            raise self._named(exc) from None

    def _flush_at_turn_end(self) -> None:
        """The flush of a turn's records, called by the loop: a failure is kept for the next
        append or the closing to raise, not handed to the loop, which would only log it."""
        self._flush_on = None
        if self._journal is None or self._flush_fault is not None:
            return  # closed meanwhile (flushed then), or failing already
        try:
            self._flush()
        except OSError as exc:
            self._flush_fault = exc

    def _named(self, exc: OSError) -> OSError:
        """``exc`` naming the journal (a write to an open file names no file)."""
        return name_written_file(exc, self.responses)

    def sync_journal(self) -> None:
        """Flush and fsync the open journal without closing it (a run forced to stop)."""
        if self._journal is not None:
            try:
                self._journal.flush()
                os.fsync(self._journal.fileno())
            except OSError as exc:
                raise self._named(exc) from None

    def close_journal(self, *, check: bool = True) -> None:
        """Flush, fsync and close the journal. Its file is closed even when what it buffers
        cannot be written (a full disk): those records are lost, and their requests are sent
        again on resume. ``check``: raise that failure, or a turn's flush that failed before it
        (a run's last records); a run already failing passes False, so the failure it reports
        is not replaced by this one (which named no file and dropped the resume command)."""
        journal, self._journal = self._journal, None
        self._flush_on = None
        fault, self._flush_fault = self._flush_fault, None
        if journal is None:
            return
        try:
            journal.flush()
            os.fsync(journal.fileno())
        except OSError as exc:
            fault = self._named(exc)
        with contextlib.suppress(OSError):  # a flush that failed above fails again, and the
            journal.close()  # descriptor is closed all the same
        if fault is not None and check:
            raise fault

    def has_responses(self) -> bool:
        """Whether the journal holds a complete response (read up to the first one)."""
        check_regular_file(self.responses, JOURNAL_DAMAGED)
        if not self.responses.exists():
            return False
        with self.responses.open("rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    return False  # torn write from a crash
                if ResponseRecord.from_journal_line(line) is None:
                    continue  # no record (damaged or edited): skipped, as on resume
                return True
        return False

    # -- final files -------------------------------------------------------------------------
    def write_results(self, rows: Iterable[dict[str, Any]]) -> None:
        RunLogWriter(self.path).write_results(rows)

    def read_results(self) -> list[dict[str, Any]]:
        with self.results.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def read_json(self, path: Path) -> dict[str, Any]:
        return json.loads(path.read_text(encoding="utf-8"))


def _case_lines(cases: Iterable[Case]) -> Iterator[bytes]:
    """The cases' lines of ``cases.jsonl``, a thousand at a time."""
    batch: list[str] = []
    for case in cases:
        batch.append(case.model_dump_json(exclude_none=True) + "\n")
        if len(batch) >= 1000:
            yield "".join(batch).encode("utf-8")
            batch.clear()
    yield "".join(batch).encode("utf-8")
