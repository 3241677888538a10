"""The ledger file: reading it, and appending to it under a lock with its ``.head`` anchor.

Appends take an exclusive ``fcntl.flock`` on ``ledger.jsonl.lock``, read the tail hash under the
lock and write all new lines in one ``write`` on an ``O_APPEND`` descriptor followed by
``fsync``, so two runs finishing at once interleave whole records and never fork the chain.
(POSIX only: ``fcntl`` is not available on Windows.)
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from ..errors import HarnessError, RunFailedError, UsageError
from ..store.files import interrupts_held, write_text_atomic
from ..store.lockwait import NOTICE_AFTER_S, say_waiting
from ..workspace import Workspace
from .evidence_record import (
    FORMAT,
    GENESIS,
    EvidenceError,
    EvidenceRecord,
    canonical_json,
    parse_record_line,
    record_hash,
)
from .ledger_prefix import Reading
from .ledger_team import team_ledger

DEFAULT_LEDGER = Workspace().ledger


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def anchor_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(ledger_path.name + ".head")


def parse_anchor(text: str | bytes) -> tuple[int, str]:
    """(seq, head hash) of an anchor's JSON (the ``.head`` file, the team store's head row);
    ValueError, KeyError or TypeError where it is not one."""
    try:
        anchor = json.loads(text)
    except RecursionError:  # nested too deep to be an anchor
        raise ValueError("not an anchor: nested too deeply") from None
    return int(anchor["seq"]), str(anchor["hash"])


def read_anchor(path: Path) -> tuple[int, str] | None:
    """(seq, head hash) the anchor file at ``path`` records, or None where it cannot be read as
    one: missing, not a regular file (a pipe would be waited on for ever), over
    ``MAX_READ_MB``, or not an anchor's JSON. The one reader for appends and for verify."""
    from ..store.files import read_bounded, unreadable_reason

    if unreadable_reason(path) is not None:
        return None
    try:
        return parse_anchor(read_bounded(path, str(path), hint="see 'assurance evidence verify'"))
    except (OSError, ValueError, KeyError, TypeError, HarnessError):
        return None


def _lock_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(ledger_path.name + ".lock")


class LedgerFaultError(EvidenceError):
    """The ledger could not be appended to for a reason of the machine's, not of the evidence
    (its disk full, its lock held): the append did not happen and doing it again completes
    it, so exit 3 (a step that failed), never EvidenceError's 1, which CI reads as a failed
    gate or an untrustworthy ledger. In a run it fails the evidence step (exit 3 too)."""

    exit_code = RunFailedError.exit_code


class LedgerBusyError(LedgerFaultError):
    """Another process held the ledger's lock past ``LOCK_WAIT_S``."""


LOCK_WAIT_S = 60.0
"""How long an append waits for another process's lock: an append holds it for milliseconds,
so a minute means the holder hangs (or was stopped), and the run should say so, not wait."""


_held = threading.local()
"""The ledger locks this thread holds (``_locked``): a reading of the ledger under one
(``reading_locked``, inside an append that verifies its anchor) has it already, and a second
``flock`` of its own would wait for this very thread."""


def _held_locks() -> set[str]:
    """This thread's held ledger locks, by absolute path (however the caller spelt it)."""
    held: set[str] | None = getattr(_held, "locks", None)
    if held is None:
        held = _held.locks = set()
    return held


def _flock_waiting(fd: int, lock: Path, mode: int) -> None:
    """Take ``flock`` ``mode`` on ``fd``, saying so once the wait passes ``NOTICE_AFTER_S``
    and giving up after ``LOCK_WAIT_S`` (LedgerBusyError): an append holds the lock for
    milliseconds, so a minute means the holder hangs (or was stopped)."""
    started = time.monotonic()
    deadline = started + LOCK_WAIT_S
    said = False
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            now = time.monotonic()
            if not said and now - started >= NOTICE_AFTER_S:
                # Silent, this wait reads as a hang in a CI log (store.lockwait).
                say_waiting(
                    f"{lock} is held by another process appending to the ledger (an "
                    f"append takes milliseconds); waiting up to {LOCK_WAIT_S:g} s for it"
                )
                said = True
            if now >= deadline:
                raise LedgerBusyError(
                    f"{lock}: held by another process for {LOCK_WAIT_S:g} s (an append "
                    "takes milliseconds): let it finish or end it, then run the same "
                    "command again"
                ) from None
            time.sleep(0.05)


@contextmanager
def _locked(ledger_path: Path) -> Iterator[None]:
    lock = _lock_path(ledger_path)
    try:
        ledger_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # a read-only or full evidence folder: the ledger's fault
        raise LedgerFaultError(
            f"{exc.filename or lock}: cannot open the ledger's lock: {exc.strerror or exc}; "
            "nothing was appended: make that folder writable (or free space there) and do it "
            "again"
        ) from None
    try:
        _flock_waiting(fd, lock, fcntl.LOCK_EX)
        held, key = _held_locks(), os.path.abspath(lock)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def reading_locked(ledger_path: Path) -> Iterator[None]:
    """Hold the ledger's lock, shared, while the ledger and its ``.head`` anchor are read
    together: an append landing between the two reads left an anchor past the records read,
    reported as records removed (tampering) by a verify that ran beside a finishing run.
    Nothing is taken where this thread holds the lock already (an append checking its
    anchor), nor where there is no lock file and none can be made (a read-only copy of an
    evidence folder: no process appends there)."""
    lock = _lock_path(ledger_path)
    if os.path.abspath(lock) in _held_locks():
        yield
        return
    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            fd = -1
    except OSError:
        fd = -1
    if fd < 0:
        yield
        return
    try:
        _flock_waiting(fd, lock, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def check_ledger_file(ledger_path: Path) -> None:
    """A ledger path that names something other than a file (a folder, a pipe that would be
    waited on) or no file can be at (a symlink loop, a path through a file) is a usage error
    naming it, before it is read or appended to. ``Path.exists`` is False for the latter: a
    loop was read as a ledger not made yet (every risk untested) and failed at the append as
    a storage fault (exit 3). A ledger not made yet is fine; a file none of whose lines
    is a record is refused too (``_check_holds_records``)."""
    fix = "give the ledger file"
    try:
        mode = os.stat(ledger_path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            kind, fix = "in a symlink loop", "fix or remove the link, or give another ledger file"
        elif exc.errno == errno.ENOTDIR:
            kind, fix = "a path through a file", "give a ledger file in a folder"
        else:
            return  # no permission, an I/O error: the read or the append says which
    except ValueError:  # a NUL in the name
        kind, fix = "a path with a NUL character", "remove it"
    else:
        if stat.S_ISREG(mode):
            _check_holds_records(ledger_path)  # a file, but is it a ledger?
            return
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
    raise UsageError(
        f"{ledger_path}: is {kind}, not an evidence ledger; {fix} "
        "(--ledger, default REPORTS/evidence/ledger.jsonl)"
    )


def _check_holds_records(ledger_path: Path) -> None:
    """A file of lines none of which is a ledger record, with no ``.head`` anchor beside it,
    is the wrong file (``--ledger`` naming the register's YAML, a suite): a usage error naming
    it. Read as a ledger, every line of it was reported as tampered with, or nothing was
    said at all. A ledger with its anchor is one even when every line is damaged (tamper
    evidence, for ``evidence verify``), and so is one holding a line that was a record
    (``_record_like``); an empty file is a ledger with no records yet. A real ledger's first
    line is a record, so this reads one line of it."""
    if os.path.lexists(anchor_path(ledger_path)):
        return
    lines = 0
    for _lineno, raw, record in file_lines(ledger_path):
        if record is not None or _record_like(raw):
            return
        lines += 1 if raw.strip() else 0
    if lines:
        raise UsageError(
            f"{ledger_path}: not an evidence ledger (none of its {lines} lines is a ledger "
            f"record, and no {anchor_path(ledger_path).name} is beside it); give the ledger "
            "file (--ledger, default REPORTS/evidence/ledger.jsonl)"
        )


def _record_like(raw: str) -> bool:
    """A line that was a record, damaged: torn (canonical JSON starts every record with its
    ``format``) or edited (it still names the chain's ``prev_hash``). Such a file is a ledger
    tampered with, never the wrong file."""
    return raw.lstrip().startswith('{"format":') or '"prev_hash"' in raw


def iter_lines(
    ledger_path: Path, *, upto: int | None = None
) -> Iterator[tuple[int, str, EvidenceRecord | None]]:
    """(line number, text without newline, record or None) for every line of the ledger (the
    team store's rows when one is configured: ``ledger_team``); ``upto``: only the lines the
    file's first ``upto`` bytes hold (the ledger as it was when its size was taken)."""
    team = team_ledger(ledger_path)
    if team is not None:
        yield from team.iter_lines()
        return
    check_ledger_file(ledger_path)
    if not ledger_path.exists():
        return
    yield from file_lines(ledger_path, upto)


def file_lines(
    ledger_path: Path,
    upto: int | None = None,
    *,
    start: int = 0,
    lineno: int = 0,
    reading: Reading | None = None,
) -> Iterator[tuple[int, str, EvidenceRecord | None]]:
    """``iter_lines`` of a ledger file, each line bounded (``read_limit``). ``start``: the
    offset to read from (a line's start), ``lineno`` the lines before it; ``reading``, where
    given, takes every byte read into its digest, and where reading stopped
    (``ledger_prefix``: the verified prefix)."""
    from ..store.files import MAX_READ_MB, read_limit

    limit = read_limit()
    with ledger_path.open("rb") as handle:
        handle.seek(start)
        while (upto is None or handle.tell() < upto) and (line := handle.readline(limit + 1)):
            lineno += 1
            if reading is not None:
                reading.digest.update(line)
                reading.end = handle.tell()
                reading.whole_lines = line.endswith(b"\n")
            if len(line) > limit and not line.endswith(b"\n"):
                # No record is this long: the rest of the line is skipped, never held (a line
                # of gigabytes, appended by hand or torn, would otherwise be read whole).
                while (rest := handle.readline(limit)) and not rest.endswith(b"\n"):
                    pass
                if reading is not None:  # skipped, so never kept as verified
                    reading.whole_lines = False
                    reading.end = handle.tell()
                yield lineno, f"(a line of more than {MAX_READ_MB:g} MB, not shown)", None
                continue
            data = line.rstrip(b"\n")
            try:
                raw = data.decode("utf-8")
            except UnicodeDecodeError:  # no record was written so: a damaged or edited line
                yield lineno, data.decode("utf-8", "backslashreplace"), None
                continue
            yield lineno, raw, parse_record_line(raw)


def read_ledger(
    ledger_path: Path = DEFAULT_LEDGER,
    *,
    strict: bool = True,
    reviews: bool = False,
    skipped: list[int] | None = None,
) -> list[EvidenceRecord]:
    """All gate records, in file order (with ``reviews=True``, review records too). An
    unreadable line is an EvidenceError naming it, or, with ``strict=False`` (views), skipped:
    ``verify_ledger`` reports it, and its line number is added to ``skipped`` where given (a
    view that does not verify says what it left out).

    This does not check the chain (``verify_ledger`` does); views call both.
    """
    records = []
    for lineno, _raw, record in iter_lines(Path(ledger_path)):
        if record is not None:
            if reviews or not record.is_review:
                records.append(record)
        elif not strict:
            if skipped is not None:
                skipped.append(lineno)
        else:
            raise EvidenceError(
                f"{ledger_path}:{lineno}: not a valid evidence record; "
                "run 'assurance evidence verify' to see what was changed"
            )
    return records


def _write_anchor(ledger_path: Path, last: EvidenceRecord) -> None:
    """Move the anchor to ``last``. A failure names the anchor, not the temporary file it is
    written through (a name the user never sees otherwise)."""
    data = {"seq": last.seq, "id": last.id, "hash": last.hash, "updated_at": _utc_now()}
    path = anchor_path(ledger_path)
    try:
        write_text_atomic(path, canonical_json(data) + "\n")
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc


def _tail_and_run_records(
    ledger_path: Path, run_ids: set[str]
) -> tuple[EvidenceRecord | None, list[EvidenceRecord]]:
    """The last record, and the records of these runs (for idempotent attach), without parsing
    every line: canonical JSON writes ``"run_id":"<id>"`` exactly, so a substring test finds the
    candidates (a record's own string values escape their quotes, so they cannot match)."""
    if not ledger_path.exists():
        return None, []
    needles = [canonical_json({"run_id": run_id})[1:-1] for run_id in run_ids]
    last: tuple[int, str] | None = None
    found: list[EvidenceRecord] = []
    # Bytes that are not UTF-8 become U+FFFD: such a line is no record (named as the tail, or
    # by 'evidence verify'), never a decoding crash.
    with ledger_path.open(encoding="utf-8", errors="replace", newline="\n") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            last = (lineno, line)
            if any(needle in line for needle in needles):
                record = _parse_record(ledger_path, lineno, line)
                if record.run_id in run_ids:
                    found.append(record)
    if last is None:
        return None, found
    return _parse_record(ledger_path, *last), found


def last_record(ledger_path: Path) -> EvidenceRecord | None:
    """The ledger file's last record, None for an empty or absent one: what its anchor must
    name. Every line is read, only the last parsed; an EvidenceError where it is no record."""
    return _tail_and_run_records(ledger_path, set())[0]


def run_records(ledger_path: Path, run_id: str) -> list[EvidenceRecord]:
    """The ledger's records of one run (its gate results as evidence, review verdicts on its
    rows, its purge), from the file or the team store: a run that has any must not have its
    figures recomputed (``run --retry-errors`` refuses it)."""
    team = team_ledger(ledger_path)
    if team is not None:
        return [r for _, _, r in team.iter_lines() if r is not None and r.run_id == run_id]
    check_ledger_file(ledger_path)
    return _tail_and_run_records(ledger_path, {run_id})[1]


def _parse_record(ledger_path: Path, lineno: int, line: str) -> EvidenceRecord:
    record = parse_record_line(line)
    if record is None:
        raise EvidenceError(
            f"{ledger_path}:{lineno}: not a valid evidence record; nothing can be chained to it. "
            "Run 'assurance evidence verify' to see what was changed"
        )
    return record


def append_bodies(
    ledger_path: Path,
    bodies: list[dict[str, Any]],
    *,
    dedupe: bool = True,
    done: list[str] | None = None,
    take_back_unanchored: bool = False,
) -> list[EvidenceRecord]:
    """Chain and append ``bodies`` under the lock, skipping any (run, risk, gate) already there
    (``dedupe=False`` for review records: each adjudication is a record of its own).

    ``take_back_unanchored``: where the anchor cannot be moved over the new records, cut them
    off again and raise a LedgerFaultError naming the anchor (``_take_back``). For records no
    run's files re-derive (a verdict, a purge), which the anchor catch-up below cannot
    recognise: left unanchored they fail 'evidence verify', the caller's store or deletion
    has not happened, and redoing the command would append them a second time.

    When every body is there already and the ledger's last append was these runs', an anchor
    left behind by that append (its write failed: a full disk, no inodes) is brought up to
    date (``_catch_up_anchor``), and a line saying so is added to ``done``: redoing the
    append is the way on the failure printed, and it must finish what the append began.

    ``recorded_at`` is read from the clock in ``chain``, which both stores call under their
    lock once the tail is read: read before it, a writer that waited for the lock while
    another appended was dated before the record it follows, and the times ran backwards
    along the chain with no clock at fault (``register.clock_order`` read that as a clock
    gone back, and a run as possibly later than it was). A clock that reads earlier than the
    tail's ``recorded_at`` is still written as it reads, neither raised to the tail's time nor
    refused: it is then a real clock disagreement (a clock set back, a team store's runner
    behind the one before it), which ``clock_order`` relies on to keep a failing run from
    hiding behind an earlier pass, and which 'evidence verify' names as a warning. A time
    copied from the record before would say when no clock read, and a refusal would leave
    the run's evidence out of the ledger."""
    run_ids = {str(body["run_id"]) for body in bodies}

    def chain(tail: EvidenceRecord | None, existing: list[EvidenceRecord]) -> list[EvidenceRecord]:
        return _chain(bodies, tail, existing, now=_utc_now(), dedupe=dedupe)

    team = team_ledger(ledger_path)
    if team is not None:
        return team.append(run_ids, chain)
    check_ledger_file(ledger_path)
    with _locked(ledger_path):
        tail, existing = _tail_and_run_records(ledger_path, run_ids)
        anchor = read_anchor(anchor_path(ledger_path))
        _refuse_behind_anchor(ledger_path, tail, anchor)
        new = chain(tail, existing)
        if new:
            _refuse_unanchored(ledger_path, tail, anchor)
        else:
            moved = _catch_up_anchor(ledger_path, tail, run_ids)
            if moved is not None and done is not None:
                done.append(
                    f"{anchor_path(ledger_path)}: brought up to date with the ledger, now "
                    f"anchoring {moved.id} (the records were appended before, the anchor not "
                    "moved); the chain verifies"
                )
            return []
        payload = "".join(r.to_line() for r in new).encode("utf-8")
        # A Ctrl-C takes effect once the anchor is moved over the records: one landing in
        # between left records no run's files re-derive (a verdict, a purge) unanchored,
        # which 'evidence verify' reads as tampering and nothing repairs.
        with interrupts_held():
            end = _append_payload(ledger_path, payload)
            try:
                _write_anchor(ledger_path, new[-1])
            except OSError as exc:  # still a storage fault (exit 3), now with the way on
                if take_back_unanchored:
                    _take_back(ledger_path, end, exc)
                raise OSError(
                    exc.errno,
                    f"{exc.strerror or exc}; the records were appended but not anchored: once "
                    "that is fixed, doing it again (a run: its --resume) brings the anchor up "
                    "to date",
                    exc.filename,
                ) from exc
        return new


def _append_payload(ledger_path: Path, payload: bytes) -> int:
    """Append ``payload`` whole and sync it, or not at all (a LedgerFaultError naming the
    ledger); the file's size before it. Called under the lock."""
    cannot = f"{ledger_path}: cannot append: "
    fix = "; nothing was appended: free space there (or make it writable) and do it again"
    try:
        fd = os.open(ledger_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:  # an immutable or read-only ledger: the ledger's fault, named so
        raise LedgerFaultError(f"{cannot}{exc.strerror or exc}{fix}") from None
    try:
        end = os.fstat(fd).st_size  # under the lock: nobody else appends meanwhile
        try:
            _write_all(fd, payload)
            os.fsync(fd)
        except BaseException:
            # Take back what part of these records reached the file: a torn last line
            # would stop every later append and read as tampering. Nothing else is touched.
            os.ftruncate(fd, end)
            raise
    except OSError as exc:  # a write's error names no file: this one names the ledger
        raise LedgerFaultError(f"{cannot}{exc.strerror or exc}{fix}") from None
    finally:
        os.close(fd)
    return end


def _take_back(ledger_path: Path, end: int, exc: OSError) -> NoReturn:
    """Cut the ledger back to ``end`` (under the lock: the records just appended, which the
    anchor could not be moved over) and raise the anchor's fault as a LedgerFaultError: the
    ledger and its anchor are then as they were, so 'nothing was appended' is true and doing
    it again appends once. Where even the cut fails, say that the records stay unanchored."""
    where = exc.filename or anchor_path(ledger_path)
    reason = exc.strerror or str(exc)
    try:
        fd = os.open(ledger_path, os.O_WRONLY)
        try:
            os.ftruncate(fd, end)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as undo:
        raise LedgerFaultError(
            f"{where}: cannot write: {reason}; the records were appended but not anchored, "
            f"and could not be taken back ({undo.strerror or undo}): fix that, then see "
            "'assurance evidence verify'"
        ) from None
    raise LedgerFaultError(
        f"{where}: cannot write: {reason}; nothing was appended (the records were taken "
        "back): free space there (or make it writable) and do it again"
    ) from None


def _catch_up_anchor(
    ledger_path: Path, tail: EvidenceRecord | None, run_ids: set[str]
) -> EvidenceRecord | None:
    """Move the anchor to ``tail`` where it is missing or behind it, the last append was of
    ``run_ids`` and the chain verifies; the record anchored, or None where nothing was due.
    Called under the lock, after ``_refuse_behind_anchor``.

    Behind must be exactly that append (``verify_ledger``'s ``anchor_behind``: the records
    after the anchor re-derived from the run's files), so records added by hand are never
    taken under the anchor; a chain that does not verify is an EvidenceError naming it, the
    anchor untouched. An anchor that cannot be read is left for 'evidence verify' to report.
    A missing anchor is created, as any append creates it: a ledger without one cannot show
    removed records either way, and from now on it can."""
    if tail is None or tail.run_id not in run_ids:
        return None
    anchor_file = anchor_path(ledger_path)
    missing = not os.path.lexists(anchor_file)
    if not missing:
        anchor = read_anchor(anchor_file)
        if anchor is None or anchor[0] >= tail.seq:
            return None
    from .ledger_verify import verify_ledger

    report = verify_ledger(ledger_path, check_files=False)
    if not report.ok or not (missing or report.anchor_behind):
        problems = "; ".join(i.format(ledger_path) for i in report.issues[:3])
        raise EvidenceError(
            f"{anchor_file}: behind the ledger, but not by this run's append to a chain that "
            "verifies, so it was not moved"
            + (f" ({problems})" if problems else "")
            + "; see 'assurance evidence verify'"
        )
    _write_anchor(ledger_path, tail)
    return tail


def _write_all(fd: int, data: bytes) -> None:
    """Write all of ``data``. A write the disk cuts short (it filled, or a file size limit)
    is followed by one that fails with the reason (ENOSPC, EFBIG, EDQUOT), which is what the
    user must read; the byte count of the short one tells them nothing."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written == 0:  # no regular file does this; never loop on it
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _refuse_behind_anchor(
    ledger_path: Path, tail: EvidenceRecord | None, anchor: tuple[int, str] | None
) -> None:
    """An EvidenceError while the ``.head`` anchor records a later record than the ledger's
    last (records removed: the ledger deleted, emptied or cut back) or another one at the same
    place (the tail rewritten). An append would chain onto what is left and move the anchor to
    it, and 'evidence verify' would then find nothing wrong: the removal would leave no trace.
    ``anchor``: what the anchor file holds (``read_anchor``). An anchor behind the ledger is
    ``_refuse_unanchored``'s, before an append; an anchor that cannot be read, verify's."""
    if anchor is None:
        return
    seq, digest = anchor
    held = tail.seq if tail is not None else 0
    if seq > held or (seq == held and tail is not None and tail.hash != digest):
        raise EvidenceError(
            f"{ledger_path}: its anchor {anchor_path(ledger_path).name} records {seq} records "
            f"(head {digest[:12]}) but the ledger ends at {held}: records were removed or "
            "rewritten, and appending would hide it; nothing was appended. See "
            "'assurance evidence verify'"
        )


def _refuse_unanchored(
    ledger_path: Path, tail: EvidenceRecord | None, anchor: tuple[int, str] | None
) -> None:
    """An EvidenceError, before an append, while the ``.head`` anchor is behind the ledger's
    last record other than by what a crash leaves. The append would move the anchor over the
    records past it, and 'evidence verify', which reports them now ("not covered by the
    anchor": added without the evidence tools, or the ledger rewritten after the anchored
    record), would then find nothing wrong. One append of one run that its files re-derive
    (``verify_ledger``'s ``anchor_behind``, what ``--repair-anchor`` accepts) is a crash
    between an append and its anchor write, and is covered as the repair would cover it.
    An anchor file that does not hold an anchor is refused too: the append would write a
    fresh one over what verify reports (something else in its place, a folder say, is left to
    fail the anchor's write as a storage fault, as before). Called under the lock, after
    ``_refuse_behind_anchor``; a missing anchor is created by the append, as before (verify
    warns of it, and a ledger without one cannot show removed records either way)."""
    anchor_file = anchor_path(ledger_path)
    if anchor is None and os.path.isfile(anchor_file):
        raise EvidenceError(
            f"{anchor_file}: does not hold the ledger's anchor; appending would write a "
            "new one over it unchecked, so nothing was appended. See 'assurance evidence verify'"
        )
    if anchor is None or tail is None or anchor[0] >= tail.seq:
        return
    from .ledger_verify import verify_ledger

    report = verify_ledger(ledger_path, check_files=False)
    if report.ok and report.anchor_behind:
        return
    problems = "; ".join(i.format(ledger_path) for i in report.issues[:3])
    first = f"EV-{anchor[0] + 1:06d}"
    which = f"record {first} is" if first == tail.id else f"records {first}..{tail.id} are"
    raise EvidenceError(
        f"{ledger_path}: {which} not covered by its anchor {anchor_path(ledger_path).name}, "
        "and not one append that a crash left unanchored; appending would anchor them "
        "unchecked, so nothing was appended"
        + (f" ({problems})" if problems else "")
        + ". See 'assurance evidence verify'"
    )


def _chain(
    bodies: list[dict[str, Any]],
    tail: EvidenceRecord | None,
    existing: list[EvidenceRecord],
    *,
    now: str,
    dedupe: bool,
) -> list[EvidenceRecord]:
    """The records ``bodies`` become after ``tail``, skipping any (run, risk, gate) already in
    ``existing`` when ``dedupe``; the same for the file and the team store."""
    seen = {(r.run_id, r.risk_id, r.gate_id) for r in existing if not r.is_review}
    prev_hash = tail.hash if tail else GENESIS
    seq = tail.seq if tail else 0
    new: list[EvidenceRecord] = []
    for body in bodies:
        gate_id = str((body["gate"] or {}).get("id") or "(no gate)")
        key = (body["run_id"], body["risk_id"], gate_id)
        if dedupe and key in seen:
            continue
        seen.add(key)
        seq += 1
        full = {
            "seq": seq,
            "id": f"EV-{seq:06d}",
            "recorded_at": now,
            "prev_hash": prev_hash,
            "format": FORMAT,
            **body,
        }
        digest = record_hash(full)
        new.append(EvidenceRecord.from_dict({**full, "hash": digest}))
        prev_hash = digest
    return new


def append_records(ledger_path: Path, bodies: list[dict[str, Any]]) -> list[EvidenceRecord]:
    """Chain and append records as given (review records: ``review.records``; purge records:
    ``privacy.retention``)."""
    return append_bodies(Path(ledger_path), bodies, dedupe=False, take_back_unanchored=True)


def repair_anchor(ledger_path: Path) -> EvidenceRecord | None:
    """Move the ``.head`` anchor to the last record, only when verification found it exactly
    one append behind a valid chain (a crash between an append and its anchor write), or
    create it where it is missing and the chain verifies (the first append's anchor write
    failed; a ledger without one cannot show removed records, and from now on it can). None
    where the anchor is already the last record's over a chain that verifies: nothing to
    repair (a second repair, or one interrupted after it moved the anchor), which is no
    failure. Anything else is an EvidenceError: an anchor that disagrees otherwise is evidence
    of tampering, and must not be papered over."""
    from .ledger_verify import verify_ledger

    ledger_path = Path(ledger_path)
    team = team_ledger(ledger_path)
    if team is not None:
        raise EvidenceError(
            f"{team.where}: the team store moves its anchor in the same transaction as each "
            "append, so it is never behind; nothing to repair"
        )
    with _locked(ledger_path):
        report = verify_ledger(ledger_path, check_files=False)
        missing = not os.path.lexists(anchor_path(ledger_path))
        records = read_ledger(ledger_path, reviews=True) if report.ok else []
        anchor = read_anchor(anchor_path(ledger_path))
        if records and anchor == (records[-1].seq, records[-1].hash):
            return None
        if not records or not (report.anchor_behind or missing):
            problems = "; ".join(i.format(ledger_path) for i in report.issues[:3])
            raise EvidenceError(
                f"{anchor_path(ledger_path)}: not one append behind a valid chain, nor missing "
                "beside one; nothing repaired" + (f" ({problems})" if problems else "")
            )
        _write_anchor(ledger_path, records[-1])
        return records[-1]
