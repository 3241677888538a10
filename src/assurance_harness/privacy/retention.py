"""Retention: delete the payloads of old runs (prompts, responses, scored rows, reports) while
the evidence ledger stays verifiable.

A purged run keeps ``run.json``, ``summary.json`` and ``manifest.json`` (verdicts, figures and
hashes; no transcripts), so the ledger's records of it still verify those files. Every purge is
itself a ledger record, chained like the evidence: ``risk_id`` :data:`RETENTION`, verdict
``purged``, and under ``run.purged_files`` the SHA-256 each deleted file had. ``evidence
verify`` then reports a missing file of that run as purged under the retention policy, not as
tampering, but only when the hash the purge recorded is the hash the evidence recorded: a file
edited before it was purged is still reported as changed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..errors import HarnessError, RunFailedError, UsageError
from ..formatting import when
from ..store.runlock import run_folder_busy
from .deletable import folder_fault, undeletable
from .run_end import FINISHED_AT_TOLERANCE, parse_end, run_end

RETENTION = "RETENTION"
"""The ``risk_id`` of purge records in the ledger (not a risk: the register never lists it)."""
PURGED = "purged"
REVIEWED_GATES = "reviewed_gates"
"""The key under a purge record's ``run`` that keeps the run's gates that awaited review as
measured with the ledger's review labels just before its rows were deleted (``purge_runs``'s
``measure``; ``review.outstanding.gates_with_reviews``): no one can measure them again after."""
PAYLOAD_FILES = (
    "cases.jsonl",
    "responses.jsonl",
    "results.jsonl",
    "report.html",
    "report.md",
    "report.json",
    "junit.xml",
    "traceback.txt",  # a crash's traceback (crash.TRACEBACK_FILE) may quote prompts and responses
)
PAYLOAD_DIRS = ("plots",)
KEPT_FILES = ("run.json", "summary.json", "manifest.json")
RUN_DATA = ("cases.jsonl", "responses.jsonl", "results.jsonl", "manifest.json")
"""Files only a run's folder holds: what marks a folder ``candidates`` cannot date as a run's."""

# ASCII digits only: ``\d`` also matches Arabic-Indic or full-width digits, which int() reads,
# so an age no one could type on purpose was taken silently. No spaces ("12 d") either.
_AGE = re.compile(r"([0-9]+)([dwh]?)")
_AGE_FORM = "give a whole number of days, weeks or hours in ASCII digits, e.g. 90d, 12w or 36h"


MAX_RETENTION_DAYS = 36525
"""The longest age a purge takes (100 years): older cut-offs fall before the calendar."""


def parse_age(text: str) -> dt.timedelta:
    """'90d', '12w', '36h' or a bare number of days; nothing else, so a typo is an error
    rather than a purge with an age the user did not mean."""
    match = _AGE.fullmatch(text or "")
    if match is None:
        raise UsageError(f"--older-than {text!r}: {_AGE_FORM}")
    digits = match.group(1).lstrip("0")
    if not digits:  # purging every run, however new, is never what an age of zero meant
        raise UsageError(
            f"--older-than {text!r}: give an age of at least 1 hour, day or week, e.g. 90d, 12w "
            "or 36h"
        )
    unit = match.group(2) or "d"
    # Length first: int() refuses over 4300 digits (a ValueError), and any 10 are too many.
    hours = int(digits) * {"d": 24, "w": 24 * 7, "h": 1}[unit] if len(digits) < 10 else 0
    if not hours or hours > MAX_RETENTION_DAYS * 24:  # no calendar subtracts more (OverflowError)
        raise UsageError(
            f"--older-than {text!r}: give an age of at most {MAX_RETENTION_DAYS} days (100 years)"
        )
    return dt.timedelta(hours=hours)


def describe_age(age: dt.timedelta) -> str:
    """An age in words ('10 days', '36 hours') for messages: ``str(timedelta)`` reads
    '10 days, 0:00:00'. Whole days stay days (12w is '84 days'); otherwise hours."""
    hours = int(age.total_seconds()) // 3600
    count, unit = (hours // 24, "day") if hours % 24 == 0 else (hours, "hour")
    return f"{count} {unit}{'' if count == 1 else 's'}"


@dataclass
class PurgedRun:
    run_id: str
    finished_at: str | None
    files: dict[str, str] = field(default_factory=dict)
    """Deleted file -> its SHA-256 just before deletion."""
    folders: list[str] = field(default_factory=list)
    """Deleted payload folders (``PAYLOAD_DIRS``), not hashed: nothing hashed what they hold."""

    @property
    def listed(self) -> list[str]:
        """What the purge deletes, as ``runs purge`` lists it: the files, then each folder
        with a slash (a dry run that left ``plots/`` out hid what the purge would delete)."""
        return [*self.files, *(f"{name}/" for name in self.folders)]


def _when(state: dict[str, Any]) -> dt.datetime | None:
    when = parse_end(state)
    return when if isinstance(when, dt.datetime) else None


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_state(run_dir: Path) -> dict[str, Any] | None:
    """run.json, or the summary of a run folder written without one (an imported run)."""
    for name in ("run.json", "summary.json"):
        try:
            data = json.loads((run_dir / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("run_id"):
            return data
    return None


IN_USE = "in_use"
"""Why ``purge_runs`` kept a run's files: another process holds the run now."""
UNFINISHED = "unfinished"
"""Why ``purge_runs`` kept a run's files: it never finished (its journal resumes it)."""
UNDATED = "undated"
"""Why ``purge_runs`` kept a run's files: neither run.json nor summary.json says when it ran
(damaged or gone), so its age against the retention period is unknown."""


def candidates(
    reports: Path,
    cutoff: dt.datetime,
    undated: list[Path] | None = None,
    *,
    ended: Callable[[str], list[str | None]] = lambda run_id: [],
    doubted: list[tuple[Path, str]] | None = None,
    ahead: list[tuple[Path, dt.datetime]] | None = None,
    now: dt.datetime | None = None,
) -> list[tuple[Path, dict[str, Any]]]:
    """Runs older than ``cutoff`` that still hold payload files, unfinished ones (status
    ``running``) too: ``purge_runs`` names those it leaves. Folders holding payload files that
    no run.json or summary.json dates are added to ``undated`` where given: passed over in
    silence, their prompts and responses outlived the retention period unnoticed.

    A finished run is dated by every record of its end (``run_end``: its files, and
    ``ended``, the ends its evidence records in the ledger hold, read only for a run some file
    puts past the period or every file puts in the future); one they do not date alike is
    added to ``doubted`` with why, not purged: run.json alone, which nothing hashes, made a run
    of today old by one edit.

    A run dated later than ``now`` (default: the clock) by more than ``FINISHED_AT_TOLERANCE``
    is added to ``ahead`` where given, with that date, and not purged: no age can be taken
    from it, and a deletion on a guess destroys evidence for good. Passed over in silence, a
    run whose dates were edited into the future kept its transcripts for ever unnoticed."""
    now = now or dt.datetime.now(dt.UTC)
    found = []
    for run_dir in sorted(p for p in reports.iterdir() if p.is_dir()):
        holds = any((run_dir / name).exists() for name in PAYLOAD_FILES) or any(
            os.path.lexists(run_dir / name) for name in PAYLOAD_DIRS
        )  # plots/ alone, left by a purge that could not delete it: the rerun finishes it
        state = _read_state(run_dir)
        when = None if state is None else _when(state)
        if when is None:
            # A run's own files, not only reports: a report written with --out into a folder
            # here is no run, and would be named at every purge.
            if undated is not None and any((run_dir / name).exists() for name in RUN_DATA):
                undated.append(run_dir)
            continue
        if holds and state is not None and state.get("status") != "running":
            ends = run_end(run_dir, []).ends
            if all(end >= cutoff for end in ends) and not _future(min(ends, default=when), now):
                continue  # new by all its files say: the ledger is not read for it
            end = run_end(run_dir, ended(run_dir.name))
            if end.doubt is not None:
                if doubted is not None:
                    doubted.append((run_dir, end.doubt))
                continue
            when = end.when or when
        if holds and _future(when, now):
            if ahead is not None:
                ahead.append((run_dir, when))
            continue
        if when >= cutoff:
            continue
        if holds and state is not None:
            found.append((run_dir, state))
    return found


def _future(when: dt.datetime, now: dt.datetime) -> bool:
    """``when`` lies past ``now`` by more than a clock a little ahead explains."""
    return when > now + FINISHED_AT_TOLERANCE


def _purge_body(
    run_dir: Path, state: dict[str, Any], purged: PurgedRun, ledger_path: Path, info: dict[str, Any]
) -> dict[str, Any]:
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        summary = {}
    suite = summary.get("suite") or state.get("suite") or {}
    target = summary.get("target") or state.get("target") or {}
    rel = os.path.relpath(run_dir.resolve(), ledger_path.parent.resolve())
    return {
        "risk_id": RETENTION,
        "run_id": purged.run_id,
        "verdict": PURGED,
        "suite": {k: suite.get(k) for k in ("name", "version", "sha256", "path")},
        "target": {k: target.get(k) for k in ("name", "type", "fingerprint", "model_version")},
        "gate": None,
        "metric": None,
        "run": {
            "status": PURGED,
            "started_at": state.get("started_at"),
            "finished_at": state.get("finished_at"),
            "dir": rel,
            "files": {},
            "purged_files": purged.files,
            # Named, not hashed (no evidence names its images); absent where there was none,
            # so a record of a run without one reads as records always did.
            **({"purged_folders": purged.folders} if purged.folders else {}),
            **info,
        },
    }


STAGED = ".purging-"
"""Prefix a payload file is renamed to, in its own folder, between the check that it can be
deleted and its deletion (``purge_runs``)."""


class PurgeFaultError(RunFailedError):
    """A payload file could not be moved aside or deleted (an immutable file, a read-only
    folder): exit 3, a step the machine failed, named with the way on."""


class Forget(Protocol):
    """Delete the copies of runs' prompts and responses kept outside their folders; with
    ``dry_run``, only open what it would change, failing where the deletion would."""

    def __call__(self, run_ids: list[str], *, dry_run: bool = False) -> object: ...


def purge_runs(
    reports: Path,
    ledger_path: Path,
    older_than: dt.timedelta,
    *,
    record: Callable[[list[dict[str, Any]]], object],
    recorded: Callable[[str], dict[str, str]] = lambda run_id: {},
    ended: Callable[[str], list[str | None]] = lambda run_id: [],
    forget: Forget = lambda run_ids, *, dry_run=False: None,
    kept: Callable[[str, str], object] = lambda run_id, why: None,
    policy_version: str | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    measure: Callable[[Path], dict[str, Any] | None] = lambda run_dir: None,
) -> list[PurgedRun]:
    """Delete the payloads of runs finished more than ``older_than`` ago and record each purge
    through ``record`` (the ledger's append, passed in by the caller: this layer does not know
    the ledger); ``recorded`` gives the files and hashes the ledger's purge records of a run
    already name; ``ended`` the ends the ledger's evidence records of a run hold (a run its
    records do not date alike is kept and named: ``candidates``); ``forget`` deletes the
    copies of their prompts and responses kept elsewhere (the review queue's, the caches'), or
    with ``dry_run`` only checks that it could; ``measure`` gives what the record keeps under
    ``REVIEWED_GATES`` for a run (None: nothing), read before its rows go: the register judges
    a purged run's gates that awaited review from it, as the rows are gone. Returns what was
    (or, with ``dry_run``, would be) purged.

    Order, so that a purge record never claims a deletion that did not happen: each payload is
    first renamed aside in its folder (``STAGED``), which fails as its deletion would (an
    immutable file, a read-only folder), and ``forget`` is tried without deleting (a damaged
    runs.db or cache file); any failure there or in the append puts every file back and records
    nothing. Only then is the record appended, the queue's copies forgotten (a
    failure there puts the files back too, and the rerun finishes what the record says) and the
    files deleted. A process killed in between leaves staged files, put back by the next purge,
    which appends a record only for a run whose files the ledger's purge records do not already
    name with these hashes: the rerun finishes the deletion, never records it twice.

    Each run is held (its folder's lock, ``store.runlock``) from its hashing to its deletion.
    A run older than the period that keeps its files is named through ``kept`` with why (one
    whose age is unknown too: ``UNDATED``, its records of its end disagreeing, or dated in the
    future, ``candidates``): ``IN_USE`` (another process holds it: an attach or
    a verdict recording its files, a resume finishing it) or ``UNFINISHED`` (stopped part-way:
    its journal is what a resume completes it from, so only the user can end it, by resuming it
    or deleting it); in a dry run, also a run whose files the purge could not delete, with the
    line saying why (``undeletable``). Runs are purged ``HELD_AT_ONCE`` at a time, each batch
    recorded in one append: a folder held is an open descriptor, and a first purge of years of
    runs would run out of them."""
    now = now or dt.datetime.now(dt.UTC)
    if not dry_run:
        _restore_staged(reports)
    undated: list[Path] = []
    doubted: list[tuple[Path, str]] = []
    ahead: list[tuple[Path, dt.datetime]] = []
    found = candidates(
        reports, now - older_than, undated, ended=ended, doubted=doubted, ahead=ahead, now=now
    )
    for run_dir in undated:
        kept(run_dir.name, UNDATED)
    for run_dir, doubt in doubted:
        kept(run_dir.name, _doubted_line(run_dir, doubt))
    for run_dir, dated in ahead:
        kept(run_dir.name, _ahead_line(run_dir, dated))
    out: list[PurgedRun] = []
    for start in range(0, len(found), HELD_AT_ONCE):
        with contextlib.ExitStack() as held:
            out += _purge(
                found[start : start + HELD_AT_ONCE], reports, ledger_path, older_than, held,
                record, recorded, forget, kept, policy_version, now, dry_run, measure,
            )  # fmt: skip
    return out


def _doubted_line(run_dir: Path, doubt: str) -> str:
    """The line for a run kept because its records do not date it alike (``run_end``)."""
    return (
        f"not purged: run {run_dir.name}: {doubt}, so its age is not known for certain and a "
        "purge would destroy evidence: put back the files as the run wrote them (see "
        "'assurance evidence verify'), or delete its folder by hand if it is past the "
        "retention period"
    )


def _ahead_line(run_dir: Path, dated: dt.datetime) -> str:
    """The line for a run kept because it is dated in the future (``candidates``)."""
    return (
        f"not purged: run {run_dir.name}: dated {dated.isoformat()}, in the future (past the "
        f"{describe_age(FINISHED_AT_TOLERANCE)} a clock a little ahead explains: its dates "
        "were edited, or the clock it ran by was wrong), so its age is not known and a purge "
        "would destroy evidence on a guess: delete its folder by hand if it is past the "
        "retention period"
    )


HELD_AT_ONCE = 256
"""Run folders ``purge_runs`` holds at once (an open descriptor each), under the usual
limit of 1024 open files."""


def _purge(
    found: list[tuple[Path, dict[str, Any]]],
    reports: Path,
    ledger_path: Path,
    older_than: dt.timedelta,
    held: contextlib.ExitStack,
    record: Callable[[list[dict[str, Any]]], object],
    recorded: Callable[[str], dict[str, str]],
    forget: Forget,
    kept: Callable[[str, str], object],
    policy_version: str | None,
    now: dt.datetime,
    dry_run: bool,
    measure: Callable[[Path], dict[str, Any] | None],
) -> list[PurgedRun]:
    """``purge_runs`` of the runs ``found``, each it purges held in ``held`` until the
    caller lets go."""
    out: list[PurgedRun] = []
    bodies = []
    for run_dir, state in found:
        if state.get("status") == "running":
            kept(run_dir.name, IN_USE if run_folder_busy(run_dir) else UNFINISHED)
            continue
        if not dry_run and not _hold(held, run_dir):
            kept(run_dir.name, IN_USE)
            continue
        purged = PurgedRun(run_dir.name, state.get("finished_at"))
        for name in PAYLOAD_FILES:
            path = run_dir / name
            if path.exists():
                purged.files[name] = _sha256(path)
        purged.folders = [name for name in PAYLOAD_DIRS if os.path.lexists(run_dir / name)]
        if dry_run and (fault := undeletable(run_dir, purged.files, purged.folders)) is not None:
            kept(run_dir.name, fault)  # what the purge would fail on, not "would purge"
            continue
        out.append(purged)
        if dry_run or purged.files.items() <= recorded(purged.run_id).items():
            continue  # a dry run; or recorded by a purge stopped before it deleted them
        info: dict[str, Any] = {
            "purged_at": now.isoformat(timespec="seconds"),
            "retention": f"older than {older_than.days} days"
            if older_than.days
            else f"older than {older_than}",
            "policy_version": policy_version,
        }
        reviewed = measure(run_dir)  # while its rows are there: no one can measure them after
        if reviewed is not None:
            info[REVIEWED_GATES] = reviewed
        bodies.append(_purge_body(run_dir, state, purged, ledger_path, info))
    if dry_run or not out:
        return out
    for purged in out:  # checked, not staged: the folder is deleted once the purge is recorded
        for name in purged.folders:
            if (unremovable := folder_fault(reports / purged.run_id / name)) is not None:
                raise _cannot_delete(*unremovable)
    try:
        forget([purged.run_id for purged in out], dry_run=True)  # fails where forgetting would
    except HarnessError as exc:
        raise _said_unrecorded(exc) from None
    staged: list[Path] = []
    try:
        for purged in out:
            for name in purged.files:
                staged.append(_stage(reports / purged.run_id / name))
        if bodies:
            ledger_path.parent.mkdir(parents=True, exist_ok=True)
            record(bodies)
        # Only once recorded: deleted texts cannot be put back as staged files are, and a
        # purge refused by the ledger left its runs whole but their queued texts gone. Should
        # this fail, the files go back and the rerun, finding the record, finishes the purge.
        try:
            forget([purged.run_id for purged in out])
        except HarnessError as exc:
            raise _recorded_not_done(exc, ledger_path) from None
    except BaseException:
        _unstage(staged)
        raise
    for path in staged:
        _delete(path)
    for purged in out:
        for name in PAYLOAD_DIRS:
            _delete_folder(reports / purged.run_id / name)
    return out


def _hold(held: contextlib.ExitStack, run_dir: Path) -> bool:
    """Hold ``run_dir`` for the purge; False where another process holds it now. A folder
    that cannot be opened to lock is left to the staging, which names what fails."""
    from ..store.runlock import RunFolderBusy, hold_run_folder

    try:
        held.enter_context(hold_run_folder(run_dir))
    except RunFolderBusy:
        return False
    except OSError:
        pass
    return True


def _said_unrecorded(exc: HarnessError) -> HarnessError:
    """``exc``, met checking that the runs' copies elsewhere (the review queue's, the
    caches') can be deleted, with what the purge left: nothing, since nothing was done."""
    first, *rest = exc.lines()
    exc.args = (f"{first}; nothing was purged or recorded", *rest)
    return exc


def _recorded_not_done(exc: HarnessError, ledger_path: Path) -> PurgeFaultError:
    """``exc``, met deleting the runs' copies elsewhere once the purge was recorded (another
    process keeping a cache busy, a disk failing between the check and the deletion), as what
    the purge left: its record in the ledger, the runs' files put back. Said "nothing was
    purged", it left the user believing the ledger held no such record, while 'evidence
    verify' said the files were deleted as recorded. Exit 3: the machine failed a step, and
    the same purge finishes it (the record found, none appended again)."""
    first, *rest = exc.lines()
    return PurgeFaultError(
        f"{first}; the purge is recorded in {ledger_path} but the runs' files were put back: "
        "until the same purge is run again (it finishes the purge without recording it "
        "again), the ledger names files as purged that are still there",
        *rest,
    )


def _cannot_delete(path: Path, why: str) -> PurgeFaultError:
    return PurgeFaultError(
        f"{path}: cannot delete: {why}; nothing was purged or recorded: fix it and run the "
        "same purge again"
    )


def _stage(path: Path) -> Path:
    """Rename ``path`` aside in its folder; the staged path. A failure is the file's fault."""
    staged = path.with_name(STAGED + path.name)
    try:
        os.replace(path, staged)
    except OSError as exc:
        raise _cannot_delete(path, exc.strerror or str(exc)) from None
    return staged


def _unstage(staged: list[Path]) -> None:
    """Put staged files back under their names (best effort: the next purge tries again)."""
    for path in reversed(staged):
        with contextlib.suppress(OSError):
            os.replace(path, path.with_name(path.name.removeprefix(STAGED)))


def _delete(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise PurgeFaultError(
            f"{path}: cannot delete: {exc.strerror or exc}; the purge is recorded: fix it and "
            "run the same purge again (it deletes the file without recording it again)"
        ) from None


def _delete_folder(path: Path) -> None:
    """Delete the payload folder ``path`` (plots/) and all in it; a link or a file in its
    place is removed, never followed. What cannot be deleted is a :class:`PurgeFaultError`
    naming it, as for a file (``_delete``): a purge is a data-protection promise, and one
    that ignored a failure said the run's payloads were gone while its images were there."""

    def failed(_function: object, where: str, exc: BaseException) -> None:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PurgeFaultError(
            f"{where}: cannot delete: {why}; the purge is recorded: fix it and run the same "
            "purge again (it deletes what is left without recording it again)"
        )

    if path.is_symlink() or (path.exists() and not path.is_dir()):
        try:
            path.unlink()
        except OSError as exc:
            failed(None, str(path), exc)
    elif path.exists():
        # ``onerror`` (given the exception's info) is what 3.11 has; 3.12's ``onexc`` is alike.
        shutil.rmtree(path, onerror=lambda function, where, info: failed(function, where, info[1]))


def _restore_staged(reports: Path) -> None:
    """Put back the files a purge killed before it deleted them left staged: the purge that
    follows deletes them again, recording them only where no record names them already."""
    for run_dir in sorted(p for p in reports.iterdir() if p.is_dir()):
        for name in PAYLOAD_FILES:
            staged = run_dir / (STAGED + name)
            if staged.is_file() and not (run_dir / name).exists():
                _unstage([staged])


@dataclass(frozen=True)
class PurgedFile:
    """A run file a purge record names: deleted under the retention policy, not lost."""

    sha256: str
    """Its SHA-256 just before the purge deleted it."""
    purged_at: str | None
    """When (the record's ``run.purged_at``; None in a record without it)."""

    @property
    def note(self) -> str:
        """ "purged 2026-12-05 21:04 UTC under the retention policy": the one wording every view
        gives a run file this purge deleted (the annex, ``register show``, the web app, and
        the commands that need the file), so a deletion the policy made and the ledger keeps
        never reads as a loss."""
        at = when(self.purged_at) if self.purged_at else "(time not recorded)"
        return f"purged {at} under the retention policy"


def purges_by_run(records: list[Any]) -> dict[str, dict[str, PurgedFile]]:
    """Run id -> {file: what the purge recorded} from the ledger's purge records (a later
    record of the same file wins: a rerun finishing a purge killed part-way)."""
    out: dict[str, dict[str, PurgedFile]] = {}
    for record in records:
        if record.verdict == PURGED and record.risk_id == RETENTION:
            at = record.run.get("purged_at")
            files = record.run.get("purged_files")
            if not isinstance(files, dict):
                continue
            out.setdefault(record.run_id, {}).update(
                {name: PurgedFile(str(sha), str(at) if at else None) for name, sha in files.items()}
            )
    return out


def purged_files_by_run(records: list[Any]) -> dict[str, dict[str, str]]:
    """Run id -> {file: SHA-256 at purge} from the ledger's purge records."""
    return {
        run_id: {name: purged.sha256 for name, purged in files.items()}
        for run_id, files in purges_by_run(records).items()
    }
