"""Run one suite against one target: expand, send, journal, score, measure, judge, record.

Responses are journalled the moment they arrive, so an interrupted run (crash, ``kill -9``,
Ctrl-C) resumes with ``--resume RUN_ID`` and sends only what is missing; scoring and metrics
run over the complete journal, so a resumed run's results equal an uninterrupted one's.
``--resume RUN_ID --retry-errors`` also sends again the requests whose latest record is an
error (``runner.retryerrors``).
"""

from __future__ import annotations

import errno
import gc
import hashlib
import json
import os
import re
import secrets
import shlex
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from ..crash import TargetOrigin, adapter_code, internal_error
from ..datatypes import Case, Expectations, GenerationRequest, ResponseRecord, with_system_prompt
from ..errors import ConfigError, HarnessError, RunFailedError, SuiteFaultError, UsageError
from ..privacy.policy import PrivacyPolicy, load_project_config
from ..rowkeys import case_key
from ..spec.caselist import CaseList, case_inputs
from ..spec.loader import LoadedSuite, load_suite
from ..spec.targets import load_target
from ..store.database import Database
from ..store.faults import StoreStorageError, check_index_path
from ..store.files import (
    check_register_file,
    remove_pending_temporary_files,
    remove_stale_temporary_files,
    sha256_file,
)
from ..store.index import claim_run_id
from ..store.journalindex import JournalIndex, index_journal
from ..store.location import follow_up, same_store, store_url, team_database, using_store
from ..store.postgres import StoreError
from ..store.runcommands import new_run_command, resume_command, resume_of
from ..store.rundir import RunDir
from ..store.runlock import RunFolderBusy, hold_run_folder
from ..store.runlog import (
    RESULTS,
    RunLogWriter,
    RunOptions,
    RunState,
    Summary,
    read_run,
    read_state,
)
from ..store.spill import SpillArray, SpillError, spill_failure
from ..targets._http_common import HttpTargetSpec
from ..targets.base import Target
from ..targets.open_files import make_room_for_connections
from ..workspace import DEFAULT_REGISTER, Workspace, reports_fault
from . import forcestop
from .executor import OnRecord, TargetUnusableError
from .executors import Executor, LocalExecutor, ScoringSession, get_executor, has_run_scope
from .executors.base import OnCloseTimeout
from .journalnotes import JournalNotes
from .poststeps import PostRunOptions, run_post_steps
from .prefetch import Prefetch, after_sending_here
from .retryerrors import (
    begin_retry,
    check_not_baseline,
    check_not_evidence,
    check_not_redacted,
    close_retry,
    retry_hint,
)
from .scoring import ScoringProgress

if TYPE_CHECKING:
    from ..datatypes import SuiteContext
    from ..metrics.columns import MetricColumns
    from ..review.queuecolumns import QueueColumns
    from ..scorers.reviewed import RunFigures
    from ..spec.suite import GateSpec
    from ..store.runlog import ResultsStream
    from ..store.runread import RunLog
    from .record import Verdict
    from .rowstream import RowSink, RowTotals, SlimRows

ProgressFn = Callable[[int, int, int], None]


class RunInterrupted(Exception):
    """Ctrl-C during sending or scoring: what completed is in the journal; ``resume_command``
    continues."""

    def __init__(self, run_id: str, resume_command: str, done: int, total: int) -> None:
        super().__init__(run_id)
        self.run_id = run_id
        self.resume_command = resume_command
        self.done = done
        self.total = total


@dataclass
class RunOutcome:
    run_id: str
    run_dir: Path
    summary: dict[str, Any]
    exit_code: int
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What went wrong that did not change the results (said as ``warning:`` lines)."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_run_id(suite_name: str) -> str:
    """``<UTC stamp>-<suite slug>-<4 hex>`` (``store.runread.RUN_ID_SHAPE``): one safe folder
    name, whatever the suite is called.

    The suite name is free text ("bias/bbq", "toxicity core"); used verbatim, a slash or ``..``
    put the run folder somewhere else under (or outside) the reports directory.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", suite_name).strip(".-")[:60] or "suite"
    return f"{stamp}-{slug}-{secrets.token_hex(2)}"


_NOT_STARTED = "the run was not started: nothing was sent; after fixing this, run it again"


def _create_run_dir(reports: Path, suite_name: str) -> RunDir:
    """A new run folder under a fresh id. The folder is made exclusively and a taken id is
    drawn again, so two runs of one suite in one second never share a folder (4 hex digits
    alone collide once in 65,536 pairs); with a team store, so is an id another machine's run
    claimed there (``store.index.claim_run_id``): its folder is on that machine."""
    if reports.is_symlink() and not reports.exists():  # mkdir says only "File exists"
        raise FileNotFoundError(
            errno.ENOENT, f"a symlink to {os.readlink(reports)}, which does not exist", reports
        )
    team = team_database()
    for _ in range(100):
        run_dir = RunDir(reports / new_run_id(suite_name))
        try:
            run_dir.create()
        except FileExistsError:
            if os.path.lexists(run_dir.path):  # the id is taken: draw another
                continue
            raise  # something in the way above it: drawing again cannot help
        if team is not None and not _claimed(team, run_dir):
            continue
        return run_dir
    raise RunFailedError(f"no free run id in {reports} after 100 tries")


def _claimed(team: Database, run_dir: RunDir) -> bool:
    """Whether the team store gave this run its folder's id; the empty folder removed where it
    did not (another machine's run holds the id) or the store could not be asked."""
    try:
        if claim_run_id(team, run_dir.run_id, now()):
            return True
    except StoreError as exc:
        run_dir.path.rmdir()
        raise _store_lost(exc, _NOT_STARTED) from None
    run_dir.path.rmdir()
    return False


def _storage_failure(exc: Exception, where: Path | str, then: str) -> RunFailedError:
    """A storage fault (read-only folder, full disk, a database that cannot be written) as one
    line with the way on, instead of an OS or sqlite traceback."""
    if isinstance(exc, SpillError):  # a temporary file: the fix is TMPDIR's, said in one place
        return spill_failure(exc, then)
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    if isinstance(exc, sqlite3.OperationalError) and "locked" in reason:
        from ..store.faults import locked_reason  # said as every other command says it

        reason = locked_reason(reason)
    elif isinstance(exc, sqlite3.DatabaseError):
        from ..store.faults import sqlite_fault_reason  # the fix, as every other command says

        reason = sqlite_fault_reason(Path(where), exc)
    return RunFailedError(f"cannot write {where}: {reason}", then)


def _index_disk_failed(
    exc: StoreStorageError, reports: Path, resume: str | None, continue_with: Callable[[str], str]
) -> RunFailedError:
    """runs.db's disk failed before this run sent anything (full, read-only): a storage fault,
    exit 3, not the command's (2), and a run begun earlier is offered its ``--resume``."""
    if resume is not None and RunDir(reports / resume).exists():
        then = (
            f"nothing was sent; run {resume} keeps what it has; after fixing this, finish "
            f"with: {continue_with(resume)}"
        )
    else:
        then = _NOT_STARTED
    return RunFailedError(*exc.lines(), then)


def _store_lost(exc: StoreError, then: str) -> RunFailedError:
    """A store fault once the run has begun (the team store answered at the start: it stopped,
    or the network went): the run failed (exit 3), not its configuration (2), and ``then``
    says how to finish it."""
    return RunFailedError(*exc.lines(), then)


def _fault_path(exc: Exception, reports: Path) -> Path | str:
    if isinstance(exc, sqlite3.Error):
        return Workspace.at(reports).index
    return _failed_file(exc) or reports


def _failed_file(exc: Exception) -> str | None:
    """The file an OSError is about. A failed rename (``os.replace`` of an atomic write) names
    its destination second: that is the file to fix, not the temporary file renamed onto it."""
    return getattr(exc, "filename2", None) or getattr(exc, "filename", None)


def derive_seed(suite_seed: int, case_id: str, sample: int) -> int:
    """A per-request seed that depends only on the suite seed, the case and the sample."""
    digest = hashlib.sha256(f"{suite_seed}:{case_id}:{sample}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


class RequestPlan(Sequence[GenerationRequest]):
    """A run's requests, case by case and sample by sample, made as they are iterated: a run
    of a million cases does not hold a million requests (with their messages) at once."""

    def __init__(
        self, loaded: LoadedSuite, cases: Sequence[Case], positions: SpillArray | None = None
    ) -> None:
        self.loaded = loaded
        self.suite = loaded.suite
        self.cases = cases
        self.positions = positions
        """Only the requests at these positions (those a resumed run has still to send)."""

    def __len__(self) -> int:
        if self.positions is not None:
            return len(self.positions)
        return len(self.cases) * self.suite.samples

    def select(self, positions: SpillArray) -> RequestPlan:
        """The requests at these positions of the whole plan, in order."""
        return RequestPlan(self.loaded, self.cases, positions)

    def __iter__(self) -> Iterator[GenerationRequest]:
        if self.positions is None:
            # Only what requests are made of: a dataset on disk is not decoded into cases.
            for case_id, chat, metadata in case_inputs(self.cases):
                yield from self._of(case_id, chat, metadata)
            return
        for _, block in self.positions.chunks():
            for position in block.tolist():
                yield self._at(position)

    def _at(self, position: int) -> GenerationRequest:
        """The request at this position of the whole plan."""
        index, sample = divmod(position, self.suite.samples)
        case = self.cases[index]
        return self._of(case.id, case.chat(), case.metadata)[sample]

    def _of(
        self, case_id: str, chat: list[dict[str, str]], metadata: dict[str, Any]
    ) -> list[GenerationRequest]:
        suite = self.suite
        messages = with_system_prompt(chat, suite.system_prompt)
        out = []
        for sample in range(suite.samples):
            seed = derive_seed(suite.seed, case_id, sample)
            out.append(
                GenerationRequest(
                    case_id=case_id,
                    sample=sample,
                    seed=seed,
                    messages=messages,
                    params={**suite.generation, "seed": seed},
                    metadata=metadata,
                )
            )
        return out

    @overload
    def __getitem__(self, index: int) -> GenerationRequest: ...
    @overload
    def __getitem__(self, index: slice) -> list[GenerationRequest]: ...
    def __getitem__(self, index: int | slice) -> GenerationRequest | list[GenerationRequest]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if self.positions is not None:
            index = int(self.positions.read(index, index + 1)[0])
        return self._at(index)


def build_requests(loaded: LoadedSuite, cases: Sequence[Case]) -> RequestPlan:
    """Every request of a run, in order (made lazily, see :class:`RequestPlan`)."""
    return RequestPlan(loaded, cases)


_NO_EXPECTATIONS = Expectations().__dict__


def _expected(expected: Expectations) -> dict[str, Any]:
    """A row's expectations: those set to something other than their default. Most cases set
    none: they are then known to dump to {} without the dump (about 4 us a row)."""
    if not expected.__pydantic_extra__ and expected.__dict__ == _NO_EXPECTATIONS:
        return {}
    return expected.model_dump(exclude_none=True, exclude_defaults=True)


def _row(case: Case, record: ResponseRecord) -> dict[str, Any]:
    row = {
        "case_id": case.id,
        "sample": record.sample,
        "seed": record.seed,
        "prompt": case.text(),
        "messages": case.chat() if case.messages is not None else None,
        "response": record.response,
        "error": record.error.__dict__ if record.error else None,
        "metadata": case.metadata,
        "expected": _expected(case.expected),
        "scores": {},
        "latency_s": record.latency_s,
        "attempts": record.attempts,
        "cached": record.cached,
        "model_version": record.model_version,
    }
    if record.finish_reason and record.error is None:
        # Only when known, so a row of a target that reports none reads as rows always did:
        # what ``counts.finish_reasons`` counts (``rowstream``), measured again from the rows.
        row["finish_reason"] = record.finish_reason
    return row


def _send(
    runner: Executor,
    target: Target,
    requests: Sequence[GenerationRequest],
    run_dir: RunDir,
    *,
    concurrency: int,
    use_cache: bool | None,
    read_cache: bool,
    max_age_s: float | None,
    cache_path: Path,
    progress: ProgressFn | None,
    prefetch: Prefetch,
    notes: list[str],
    on_record: OnRecord | None = None,
    on_close_timeout: OnCloseTimeout | None = None,
) -> None:
    """Send ``requests``, journalling each record; ``prefetch`` starts once the first round is
    answered. ``notes`` gets why the response cache stopped being used, if it did, and how many
    of its entries could not be read."""
    from ..store.cache import ResponseCache

    cache = (
        ResponseCache(cache_path, run_id=run_dir.run_id, read=read_cache, max_age_s=max_age_s)
        if use_cache is not False
        else None
    )
    journal = on_record or run_dir.append_response

    # The prefetch starts once the probe and a first round of ``concurrency`` requests are
    # answered: until then this process is busy opening connections and sending, and a second
    # thread only takes turns with it (started with the first record, a 2,000-case run at 50
    # in flight took about 20 ms longer). A run with fewer requests imports as it scores.
    records = 0

    def record_and_prefetch(record: ResponseRecord) -> None:
        nonlocal records
        records += 1
        if records == concurrency + 1:
            prefetch.start()
        journal(record)

    try:
        runner.send(
            target,
            requests,
            concurrency=concurrency,
            on_record=record_and_prefetch,
            cache=cache,
            progress=progress,
            on_close_timeout=on_close_timeout,
        )
    finally:
        prefetch.join()
        if cache is not None:
            cache.close()
            if cache.fault is not None:
                notes.append(cache.fault)
            damage = cache.damage_note()
            if damage is not None:
                notes.append(damage)


def run_options(
    *,
    concurrency: int | None = None,
    use_cache: bool = True,
    limit: int | None = None,
    write_reports: bool = True,
    attach_evidence: bool = True,
    register_path: str | Path | None = None,
    ledger_path: str | Path | None = None,
    evidence_for: str | None = None,
    executor: str = "local",
    ray_address: str | None = None,
) -> RunOptions:
    """An invocation's options as run.json records them (``RunOptions``): the one source of the
    command that resumes the run, printed when it stops or rebuilt from run.json
    (``resume_of``). The register and ledger are kept as given, and only where evidence is
    attached (with ``--no-evidence`` none is read); the default register, which the command line
    finds by itself, is not named. ``use_cache``: whether the run reads the response cache."""
    register = None
    if attach_evidence and register_path is not None and Path(register_path) != DEFAULT_REGISTER:
        register = str(register_path)
    return RunOptions(
        concurrency=concurrency,
        use_cache=use_cache,
        limit=limit,
        write_reports=write_reports,
        attach_evidence=attach_evidence,
        register_path=register,
        ledger_path=str(ledger_path) if attach_evidence and ledger_path is not None else None,
        evidence_for=evidence_for,
        executor=executor,
        ray_address=ray_address,
    )


def _default_command(state: RunState) -> str:
    """What started a run made through the library (no command line was given)."""
    return new_run_command(state.suite.path, state.target.path)


@dataclass
class _Run:
    """Everything the steps after sending need about one run."""

    loaded: LoadedSuite
    target: Target
    fingerprint: str
    run_dir: RunDir
    state: RunState
    cases: Sequence[Case]
    requests: RequestPlan
    reports: Path
    resume_cmd: str
    post: PostRunOptions
    command: str | None
    read_cache: bool = False
    max_age_s: float | None = None
    runner: Executor = field(default_factory=LocalExecutor)
    scoring_progress: ScoringProgress | None = None
    journal: JournalIndex | None = None
    """The journal index noted while sending (a fresh run), else None: read from the journal."""
    environment: dict[str, Any] | None = None
    """The manifest's environment, read while the requests were out (None: read it at the end)."""
    retried: str | None = None
    """What the retry of the run's errors that this finish closed came to (a console line)."""
    retry_cmd: str = ""
    """The command that sends the run's errored requests again (``--retry-errors``)."""
    left_out: list[str] = field(default_factory=list)
    """The review verdicts the gates' reviewed figures did not count, a warning each."""
    warnings: list[str] = field(default_factory=list)
    """The warnings said before scoring (the target's ``check_cases``, a late ``close()``):
    recorded in summary.json with ``left_out``, so a reader of the evidence sees them too."""


def run_suite(
    suite_path: str | Path,
    target_path: str | Path,
    *,
    reports_dir: str | Path = "reports",
    concurrency: int | None = None,
    resume: str | None = None,
    use_cache: bool | None = None,
    progress: ProgressFn | None = None,
    write_reports: bool = True,
    attach_evidence: bool = True,
    register_path: str | Path | None = None,
    ledger_path: str | Path | None = None,
    command: str | None = None,
    limit: int | None = None,
    executor: str = "local",
    ray_address: str | None = None,
    on_start: Callable[[str], None] | None = None,
    scoring_progress: ScoringProgress | None = None,
    evidence_for: str | None = None,
    loaded: LoadedSuite | None = None,
    retry_errors: bool = False,
) -> RunOutcome:
    """Run a suite end to end and return its outcome (the summary and the exit code).

    ``loaded``: the suite as ``load_suite(suite_path)`` returned it, when the caller has just
    validated it (``assurance run`` does): a suite of 100k cases is not parsed twice.

    ``limit``: a smoke test on the suite's first ``limit`` cases; it writes no evidence (a
    subset's verdicts say nothing about the suite's risks).

    ``evidence_for``: the register's system name, to record evidence from a run whose target is
    not the register's ``system.target`` (``register.identity``); otherwise such a run is
    exploratory and writes none.

    ``use_cache``: None (the default) reads the response cache only when the run writes no
    evidence: a measurement that will stand as evidence is sent to the target (its answers
    still go into the cache for later exploratory runs). True reads it anyway (the record then
    says how many answers came from which earlier run); False neither reads nor writes it.

    ``executor``: where requests are sent from and scorers run, ``local`` (this process) or
    ``ray`` (the Ray cluster at ``ray_address``, or a local Ray instance); same results.

    ``retry_errors`` (with ``resume``): send again the requests whose latest journal record is
    an error, then score the run anew (``runner.retryerrors``).

    ``on_start`` gets the run id before anything is sent, ``progress`` follows the sending and
    ``scoring_progress`` the scorers (on either executor), so a terminal can show the run is alive
    throughout.
    """
    if limit is not None and limit < 1:
        raise UsageError("--limit must be at least 1")
    if retry_errors and not resume:
        raise UsageError(RETRY_NEEDS_RESUME)
    made = _Made()
    with forcestop.watching():
        try:
            # Loaded before the heap is frozen: the loader moves what it builds out of the
            # young generation itself (``gc_paused``), which it skips when something else
            # froze objects.
            loaded = loaded if loaded is not None else load_suite(suite_path)
            with heap_frozen(), ExitStack() as locks:
                return _run_suite(
                    suite_path,
                    target_path,
                    executor,
                    locks,
                    made,
                    reports_dir=reports_dir,
                    concurrency=concurrency,
                    resume=resume,
                    use_cache=use_cache,
                    progress=progress,
                    write_reports=write_reports,
                    attach_evidence=attach_evidence,
                    register_path=register_path,
                    ledger_path=ledger_path,
                    command=command,
                    limit=limit,
                    ray_address=ray_address,
                    on_start=on_start,
                    scoring_progress=scoring_progress,
                    evidence_for=evidence_for,
                    loaded=loaded,
                    retry_errors=retry_errors,
                )
        except KeyboardInterrupt as stop:
            # Wherever it landed (sending, the journal being closed, scoring, a file being
            # written, the post-run steps, the stop itself): one way to say how to continue.
            raise _interrupted(made, stop) from None


@dataclass
class _Made:
    """How far a run has got, for what an interrupt anywhere in it comes to (``_interrupted``)."""

    run_dir: RunDir | None = None
    created: bool = False
    """The folder was made by this call (a new run): removed if stopped before it could send."""
    requests: RequestPlan | None = None
    """Set once the run is ready to send (the resume command works from then on)."""
    resume_cmd: str = ""
    errors_before: int | None = None
    """A retry of the run's errors in progress: its start in the journal."""


def _interrupted(made: _Made, stop: KeyboardInterrupt) -> BaseException:
    """What an interrupt during ``run_suite`` comes to: ``RunInterrupted`` with what the journal
    holds and the command that continues the run, once it is ready to send; before that
    ``KeyboardInterrupt`` (the caller says it): nothing made yet, a new run's folder being made
    (removed: nothing was sent), or a resume that had not begun (the same command continues).
    A second interrupt meanwhile forces the stop (``forcestop``); the temporary files the
    first one cut off are removed. Counting what the journal holds spills its index into the
    run folder: where that disk is full or read-only too, the storage fault (exit 3) says what
    failed, the fault the interrupt cut short first (``_cut_short``), and the same command."""
    forcestop.stopping()
    run_dir = made.run_dir
    if run_dir is None:
        return KeyboardInterrupt()
    remove_pending_temporary_files(run_dir.path)
    if made.requests is None:
        if made.created:  # half made (its cases, maybe no run.json yet), nothing sent
            shutil.rmtree(run_dir.path, ignore_errors=True)
        return KeyboardInterrupt()
    try:
        index = _journal_index(run_dir, made.requests)
        try:
            left = index.missing()
            if made.errors_before is not None:
                left += index.retrying(made.errors_before)
        finally:
            index.close()
    except OSError as exc:
        fault = _cut_short(stop, run_dir) or exc
        return _storage_failure(
            fault,
            _failed_file(fault) or run_dir.path,
            f"the responses so far are saved in run {run_dir.run_id}; after fixing this, "
            f"continue with: {made.resume_cmd}",
        )
    total = len(made.requests)
    return RunInterrupted(run_dir.run_id, made.resume_cmd, total - left, total)


def _cut_short(stop: KeyboardInterrupt, run_dir: RunDir) -> OSError | None:
    """The failure to write one of the run's files (the journal on a disk that just filled)
    that was being handled when the interrupt came, if any: the fault that stopped the run,
    to be named before whatever failed after it."""
    seen: BaseException | None = stop.__context__
    while seen is not None:
        failed = _failed_file(seen) if isinstance(seen, OSError) else None
        if isinstance(seen, OSError) and failed and Path(failed).parent == run_dir.path:
            return seen
        seen = seen.__context__
    return None


RETRY_NEEDS_RESUME = (
    "--retry-errors needs --resume RUN_ID: it sends again the errored requests of that run "
    "(see 'assurance runs list')"
)


RUN_GC_THRESHOLD = 700
"""New container objects (net of those freed) between young-generation collections while a
run lasts: Python's default. 50,000 saved about 1.9 s of CPU in a 100k-case run (the
collector ran 160 times, not 7,500, and found almost nothing: the harness makes no cyclic
garbage), but a target or scorer that does holds all of it until then, whatever its size:
one 100 kB cycle a call took a 5,200-request run from 125 to 568 MB peak, an exception with a
200 kB frame every 20th call from 122 to 139 MB (review, tests/runner/test_heap_frozen.py). The
count cannot see the bytes a cycle holds, so no threshold above the default bounds that."""


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Keep the cyclic garbage collector off what exists before a run (modules, the loaded
    suite, pydantic's schemas) while the run lasts: every full collection during a run would
    otherwise walk all of it again (about 0.15 s of a 2,000-case run's CPU). ``gc.freeze`` and
    ``gc.unfreeze`` move lists and walk nothing; objects made during the run are collected as
    usual (``RUN_GC_THRESHOLD``), and cyclic garbage among the frozen ones by the
    first full collection after it. The freezing is skipped where something froze objects on
    purpose (a pre-forking server): unfreezing would undo that."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], RUN_GC_THRESHOLD), *threshold[1:])
    frozen_here = not gc.get_freeze_count()
    if frozen_here:
        gc.freeze()
    try:
        yield
    finally:
        if frozen_here:
            gc.unfreeze()
        gc.set_threshold(*threshold)


@contextmanager
def _run_lock(run_dir: RunDir) -> Iterator[None]:
    """Hold the run folder (``store.runlock``) while one process sends, scores and records the
    run: a second ``--resume`` of the same run at the same time would send every missing request
    again and rewrite the files whose hashes the first one's evidence holds."""
    try:
        with hold_run_folder(run_dir.path):
            yield
    except RunFolderBusy:
        raise RunFailedError(
            f"run {run_dir.run_id} is in use by another process right now (being run or "
            "resumed, or its evidence attached); let it end, then run the same command again "
            "if the run is not finished"
        ) from None


def _check_register_loads(register_path: Path) -> None:
    """The register evidence will be attached for must load (and name a system target that
    does) before anything is sent: found only at the evidence step, after every request had
    been paid for, a typo in it ended the run 'evidence not attached', exit 3. A ConfigError
    (exit 2) here names the file's line, as ``assurance validate`` would."""
    from ..register.loader import validate_register

    validate_register(register_path)


def _run_suite(
    suite_path: str | Path,
    target_path: str | Path,
    executor: str,
    locks: ExitStack,
    made: _Made,
    *,
    reports_dir: str | Path,
    concurrency: int | None,
    resume: str | None,
    use_cache: bool | None,
    progress: ProgressFn | None,
    write_reports: bool,
    attach_evidence: bool,
    register_path: str | Path | None,
    ledger_path: str | Path | None,
    command: str | None,
    limit: int | None,
    ray_address: str | None,
    on_start: Callable[[str], None] | None,
    scoring_progress: ScoringProgress | None,
    evidence_for: str | None,
    loaded: LoadedSuite,
    retry_errors: bool = False,
) -> RunOutcome:
    if limit is not None:
        attach_evidence = False
    reports = Path(reports_dir)
    if resume:  # a path to its folder given (tab completion): its id, in these reports
        from ..store.runread import resumed_run_id

        resume = resumed_run_id(resume, reports)
    target = load_target(target_path)
    if executor == "local" and isinstance(target.spec, HttpTargetSpec):
        # Before the run folder: a pool the process cannot open loses requests to its limit.
        make_room_for_connections(concurrency or target.spec.concurrency, target_path=target_path)
    if attach_evidence and register_path is not None:
        check_register_file(Path(register_path))
        _check_register_loads(Path(register_path))
    if attach_evidence and ledger_path is not None:  # the one named, known before sending
        from ..register.ledger_store import check_ledger_file

        check_ledger_file(Path(ledger_path))
    if (problem := reports_fault(reports)) is not None:  # the caller's mistake, not the disk's
        raise UsageError(problem)
    index_fault: StoreStorageError | None = None
    if store_url() is None:  # the embedded index, written once every answer is in
        try:
            check_index_path(Workspace.at(reports).index)
        except StoreStorageError as exc:  # the disk's: said below, with the resume command
            index_fault = exc
    if evidence_for is not None and attach_evidence:
        from ..register.evidence_map import check_evidence_for

        check_evidence_for(Path(register_path) if register_path else None, evidence_for)
    origin = TargetOrigin(str(target_path), type(target))
    with adapter_code(origin):  # a plugin's own code: named as its failure, not ours
        fingerprint = target.fingerprint()
        caches_responses = target.caches_responses
    post = PostRunOptions(
        write_reports=write_reports,
        attach_evidence=attach_evidence,
        register_path=Path(register_path) if register_path else None,
        ledger_path=Path(ledger_path) if ledger_path else None,
        evidence_for=evidence_for,
    )

    typed_cache = use_cache  # the caller's --cache/--no-cache (None: neither), before it is forced
    if use_cache is not False and load_project_config().privacy.redaction.enabled:
        use_cache = False  # the response cache would keep the original, unredacted responses
    if not caches_responses:
        use_cache = False
    evidence_due = attach_evidence and bool(loaded.suite.evidence_for or register_path)
    read_cache = use_cache if use_cache is not None else not evidence_due

    options = run_options(
        concurrency=concurrency,
        use_cache=read_cache if use_cache is not False else False,
        limit=limit,
        write_reports=write_reports,
        attach_evidence=attach_evidence,
        register_path=register_path,
        ledger_path=ledger_path,
        evidence_for=evidence_for,
        executor=executor,
        ray_address=ray_address,
    )

    retry_pending = retry_errors
    """A retry of the run's errors asked for and not yet noted in run.json: until it is, the
    way on must say ``--retry-errors`` (a plain ``--resume`` of a finished run only says it is
    complete); once noted, any ``--resume`` completes it (``runner.retryerrors``)."""

    def continue_with(run_id: str, *, retry: bool | None = None) -> str:
        """The command that continues this run with this invocation's options (``retry``:
        sending its errored requests again; by default while a retry asked for is pending)."""
        return resume_command(
            suite_path, target_path, reports, run_id, options, use_cache=use_cache,
            retry_errors=retry_pending if retry is None else retry,
        )  # fmt: skip

    if index_fault is not None:
        raise _index_disk_failed(index_fault, reports, resume, continue_with)
    # Once the files named are checked, before anything is made: a local Ray instance takes
    # seconds to start (a broken target file was reported only after it), and a Ray address
    # that cannot be used leaves no run folder. Closed after the run folder's lock is let go.
    runner = locks.enter_context(closing(get_executor(executor, address=ray_address)))
    case_warnings: list[str] = []
    if resume:
        run_dir = RunDir(reports / resume)
        if not run_dir.exists():
            from ..store.runread import check_indexed_run_present, run_not_found, started_runs

            # Indexed, its folder deleted: say so (``resume`` may be a path to that folder).
            check_indexed_run_present(Path(resume).name, reports)
            raise run_not_found(resume, reports, started_runs(reports))
        try:
            locks.enter_context(_run_lock(run_dir))
            # Held alone now: what a writer killed mid-file left is nobody's (SIGKILL, a
            # forced stop), and would stay in the folder for good.
            remove_stale_temporary_files(run_dir.path)
        except OSError as exc:
            raise _storage_failure(
                exc, run_dir.path, "after fixing this, run the same command again"
            ) from None
        made.run_dir = run_dir
        _registered(run_dir, continue_with(resume))
        state = read_state(run_dir.path)
        if state.store is not None and not same_store(state.store, given := store_url()):
            with using_store(state.store):  # the command that resumes it names its store
                again = continue_with(resume)
            raise _other_store(resume, state.store, given, again, reports)
        if state.suite.name != loaded.suite.suite:
            raise UsageError(
                f"run '{resume}' is a run of suite '{state.suite.name}' ({state.suite.path}), "
                f"not of {suite_path}'s suite '{loaded.suite.suite}'; resume it with its own "
                "suite file, or start a new run"
            )
        if state.suite.sha256 != loaded.sha256:
            raise UsageError(
                f"run '{resume}' was made with a different version of {suite_path} "
                "(its SHA-256 changed); start a new run instead of resuming"
            )
        if state.target.fingerprint != fingerprint:
            raise _other_target(resume, state.target.path, target_path)
        if limit is not None and limit != state.options.limit:
            raise UsageError(_other_limit(resume, limit, state.options.limit))
        if typed_cache is not None and typed_cache != state.options.use_cache:
            raise UsageError(_other_cache(resume, typed_cache, reports))
        # The cache setting the run started with, whatever this command says: its manifest
        # records one for all its answers, and a run that measured the target must not take
        # the answers it still needs from the cache. Never turned on where it is forced off.
        if not state.options.use_cache:
            use_cache = read_cache = False  # as --no-cache: neither read nor written
        else:
            read_cache = use_cache is not False
            use_cache = read_cache
        if state.options.limit:
            post.attach_evidence = False  # a smoke test stays one when resumed
        finished = state.status != "running" and run_dir.summary.exists()
        if finished and not retry_errors:
            try:  # redoes the index entry and evidence too, in case writing them was what failed
                return _already_finished(
                    run_dir,
                    reports,
                    loaded,
                    post,
                    resume_of(state, reports),
                    scoring=_Scoring(runner, scoring_progress),
                    endpoint=target.endpoint(),
                    retry_cmd=continue_with(resume, retry=True),
                )
            except (OSError, sqlite3.Error) as exc:
                raise _storage_failure(
                    exc, _fault_path(exc, reports), "after fixing this, run the same command again"
                ) from None
            except StoreError as exc:
                raise _store_lost(exc, "after fixing this, run the same command again") from None
            except KeyboardInterrupt:
                # Every response is recorded; what was cut short (reports, evidence, index) is
                # redone by the same command.
                recorded = int(_recorded_counts(run_dir).get("requests", 0))
                raise RunInterrupted(resume, continue_with(resume), recorded, recorded) from None
            except HarnessError:
                raise
            except BaseException as exc:  # a scorer's bug while its results are made again
                raise internal_error(  # its traceback not in the run folder: left as it was
                    exc,
                    scrub=_crash_scrub(target),
                    then="the run's files are as they were; after a fix, run the same command "
                    "again",
                    origin=origin,
                ) from None
        new_run = follow_up(new_run_command(suite_path, target_path, reports))
        if finished:
            check_not_redacted(run_dir, run_dir.read_json(run_dir.summary), new_run)
        if not run_dir.cases.is_file():
            raise UsageError(
                f"{run_dir.cases}: missing; the run directory is damaged: start a new run"
            )
        try:
            _check_same_cases(run_dir, loaded, state.options.limit, resume)
            cases: Sequence[Case] = CaseList.build(run_dir.iter_cases())
            case_warnings = _check_cases(target, origin, loaded, cases)
            if retry_errors and state.open_retry() is None:
                errored = _errored(run_dir, build_requests(loaded, cases))
                if not errored and finished:
                    return _already_finished(
                        run_dir,
                        reports,
                        loaded,
                        post,
                        resume_of(state, reports),
                        scoring=_Scoring(runner, scoring_progress),
                        endpoint=target.endpoint(),
                        note=f"run {resume} has no errored requests to retry; "
                        "its results are unchanged",
                    )
                if errored:
                    if finished:  # figures others rely on must not change under them
                        ledger = Workspace.at(reports, ledger=post.ledger_path).ledger
                        check_not_evidence(run_dir, ledger, new_run)
                        summary = run_dir.read_json(run_dir.summary)
                        check_not_baseline(run_dir, summary, reports, new_run)
                    begin_retry(run_dir, state, errored, reports, now())
        except (OSError, sqlite3.Error) as exc:
            raise _storage_failure(
                exc, _fault_path(exc, reports), "after fixing this, run the same command again"
            ) from None
        if retry_pending:  # noted in run.json (or nothing to retry): a plain --resume goes on
            retry_pending = False
            _registered(run_dir, continue_with(resume))
    else:
        cases = list(loaded.cases[:limit]) if limit else loaded.cases
        case_warnings = _check_cases(target, origin, loaded, cases)  # nothing made yet
        try:
            run_dir = _create_run_dir(reports, loaded.suite.suite)
        except OSError as exc:
            raise _storage_failure(exc, reports, "nothing was sent; fix it and run again") from None
        made.run_dir, made.created = run_dir, True
        try:
            locks.enter_context(_run_lock(run_dir))
        except OSError as exc:
            shutil.rmtree(run_dir.path, ignore_errors=True)  # nothing sent: nothing to keep
            raise _storage_failure(
                exc, run_dir.path, "nothing was sent; fix it and run again"
            ) from None
        run_id = run_dir.run_id
        state = RunState.model_validate(
            {
                "run_id": run_id,
                "status": "running",
                "started_at": now(),
                "suite": {
                    "path": str(suite_path),
                    "name": loaded.suite.suite,
                    "sha256": loaded.sha256,
                },
                "target": {
                    "path": str(target_path),
                    "name": target.spec.name,
                    "fingerprint": fingerprint,
                },
                "options": options,
                "command": command,
                "store": store_url(),
            }
        )
        try:
            if isinstance(cases, CaseList):  # its lines were made as it was read
                run_dir.write_case_lines(cases.json_lines())
            else:
                run_dir.write_cases(cases)
            RunLogWriter(run_dir.path).write_state(state)
        except (OSError, ValueError) as exc:
            shutil.rmtree(run_dir.path, ignore_errors=True)  # nothing sent: nothing to keep
            raise _storage_failure(
                exc, _failed_file(exc) or run_dir.path, "nothing was sent; fix it and run again"
            ) from None
        _registered(run_dir, continue_with(run_id))

    if on_start is not None:
        on_start(run_dir.run_id)
    requests = build_requests(loaded, cases)
    resume_cmd = continue_with(run_dir.run_id)
    prefetch = Prefetch(intervals=bool(loaded.metrics))
    send_notes: list[str] = []
    send_warnings: list[str] = []
    retry = state.open_retry()
    made.requests, made.resume_cmd = requests, resume_cmd
    made.errors_before = retry.journal_offset if retry is not None else None
    try:
        journal = _send_pending(
            runner,
            target,
            requests,
            run_dir,
            prefetch=prefetch,
            resumed=bool(resume),
            errors_before=retry.journal_offset if retry is not None else None,
            concurrency=concurrency,
            use_cache=use_cache,
            read_cache=read_cache,
            max_age_s=loaded.suite.cache.max_age if loaded.suite.cache else None,
            cache_path=Workspace.at(reports).cache,
            progress=progress,
            resume_cmd=resume_cmd,
            target_path=target_path,
            notes=send_notes,
            warnings=send_warnings,
        )
    except TargetUnusableError as exc:
        if retry is None:
            raise
        # The retry's first requests failed the same way that no retry fixes (the target is
        # still down, or these requests cannot be answered): the run is recorded from its latest
        # records, as it was where nothing was answered again, not left unfinished for good.
        retry.stopped = str(exc).removeprefix("stopped: ")
        journal = None
    run = _Run(
        loaded, target, fingerprint, run_dir, state, cases, requests, reports, resume_cmd, post,
        command, read_cache, loaded.suite.cache.max_age if loaded.suite.cache else None,
        runner, scoring_progress, journal, prefetch.environment,
        retry_cmd=continue_with(run_dir.run_id, retry=True),
        warnings=case_warnings + send_warnings,
    )  # fmt: skip
    try:
        outcome = _finish(run)
        outcome.notes.extend(send_notes)
        outcome.warnings.extend(case_warnings + send_warnings)
        if state.options.limit:
            outcome.notes.append(
                f"smoke test: the first {len(cases)} of {len(loaded.cases)} cases; "
                "no evidence was written"
            )
        return outcome
    except KeyboardInterrupt:
        raise  # every response is in the journal: run_suite says how to finish (_interrupted)
    except (OSError, sqlite3.Error) as exc:
        if not run_dir.responses.is_file():  # not the disk's fault: the folder went
            raise RunFailedError(_collected(run_dir, resume_cmd)) from None
        raise _storage_failure(
            exc, _fault_path(exc, reports), _collected(run_dir, resume_cmd)
        ) from None
    except SuiteFaultError as exc:
        exc.add_line(_new_run_line(run_dir.run_id, read_cache))
        raise
    except StoreError as exc:
        raise _store_lost(exc, _collected(run_dir, resume_cmd)) from None
    except HarnessError as exc:
        # The responses are safe in the journal: say how to finish without re-sending anything.
        exc.add_line(_collected(run_dir, resume_cmd))
        raise
    except BaseException as exc:  # a bug (ours, a scorer's, a plugin's): exit 3, still resumable
        raise internal_error(  # a plugin's SystemExit too: not the command's exit status
            exc,
            folder=run_dir.path,
            scrub=_crash_scrub(target),
            then=_collected(run_dir, resume_cmd, fix="after a fix"),
            origin=origin,
        ) from None


def _collected(run_dir: RunDir, resume_cmd: str, *, fix: str = "after fixing this") -> str:
    """The way on from a fault after requests were sent: the ``--resume`` that finishes the run
    from its journal. Where the journal is gone with the run's folder (removed while the run
    went on: a target, a cleanup job, a person), that resume could only answer "not found",
    and a full disk was blamed for the temporary file the folder no longer held: say so."""
    if run_dir.responses.is_file():
        return f"the responses are saved in run {run_dir.run_id}; {fix}, finish with: {resume_cmd}"
    return (
        f"{run_dir.path}: the run's folder was removed while the run went on, and its journal "
        "with it: nothing it collected is kept to resume; run it again"
    )


def _new_run_line(run_id: str, read_cache: bool) -> str:
    """The way on after a fault that only a change to the suite fixes: ``--resume`` refuses a
    changed suite, so a new run; whether it sends its requests again is the cache's to say."""
    again = (
        "its answers come from the response cache, none is sent again"
        if read_cache
        else "its requests are sent again: this run did not read the response cache"
    )
    return (
        f"the responses are saved in run {run_id}, but a changed suite cannot resume it: after "
        f"fixing the suite, run it again ({again})"
    )


def _check_cases(
    target: Target, origin: TargetOrigin, loaded: LoadedSuite, cases: Sequence[Case]
) -> list[str]:
    """The target's refusal of cases it could not answer as themselves (``check_cases``: a
    replay recording that would give two cases one answer) or of the suite's generation
    parameters (``check_params``: an http body naming a value no request has), in this process,
    with every case, before anything is sent: exit 2, not a run scored on another case's
    answers or failing every request. Returns what the target warns of (a replay recording's
    records that answer no case), for the run's ``warning:`` lines."""
    system_prompt = loaded.suite.system_prompt
    conversations = (
        (case_id, with_system_prompt(chat, system_prompt))
        for case_id, chat, _ in case_inputs(cases)
    )
    with adapter_code(origin):
        target.check_params(loaded.suite.generation)
        warning = target.check_cases(conversations)
    _refuse_blind_scorers(target, loaded)
    # A plugin's hook written before it returned anything returns None (or whatever it did).
    return [warning] if isinstance(warning, str) and warning else []


def _refuse_blind_scorers(target: Target, loaded: LoadedSuite) -> None:
    """Refuse a run whose scorers look for personal data in responses the target redacts
    before they are scored: they would read placeholders, find nothing whatever the model
    said, and a leak rate of 0 would pass its gate (exit 2, before anything is sent)."""
    blind = [f"{c.id} ({c.cls.name})" for c in loaded.scorers if c.cls.finds_personal_data]
    redacting = target.redacts_responses() if blind else None
    if redacting is None:
        return
    field, setting = redacting
    source, line = target.located(field)
    raise ConfigError.single(
        source,
        f"this target redacts the responses before they are scored, {setting}; the scorers "
        f"{', '.join(blind)} of suite '{loaded.suite.suite}' would read placeholders and find "
        "no personal data, whatever the responses held",
        line=line,
        field=field,
        hint="set 'redact: false' in this target file (the privacy policy still redacts what "
        "is stored, after scoring), or leave those scorers out of a run of this target",
    )


def _registered(run_dir: RunDir, resume_cmd: str) -> None:
    """From here the folder holds the run: a second interrupt forces its stop, saying how to
    continue it (``forcestop``)."""
    forcestop.run_in_progress(
        run_dir.sync_journal, run_id=run_dir.run_id, resume_cmd=resume_cmd, folder=run_dir.path
    )


def _other_target(run_id: str, recorded: str, given: str | Path) -> UsageError:
    """A resume whose target configuration is not the run's, naming the file the run was made
    with (run.json) and the one given: the same file edited, or another file."""
    if Path(recorded) == Path(given) or Path(recorded).resolve() == Path(given).resolve():
        return UsageError(
            f"run '{run_id}' was made against {recorded}, whose configuration has been edited "
            "since; restore it as it was for the run, or start a new run"
        )
    return UsageError(
        f"run '{run_id}' was made against {recorded}, not --target {given} (their "
        f"configurations differ); resume with --target {recorded}"
    )


def _crash_scrub(target: Target) -> Callable[[str], str]:
    """What a crash's message and saved traceback are cleaned of: the target's secrets, and
    under a redaction policy personal data too (an exception may quote a prompt or a response,
    and the traceback stays in the run folder that is stored redacted once the run finishes)."""
    redaction = load_project_config().privacy.redaction
    if not redaction.enabled:
        return target.scrub
    from ..privacy.redact import redact_text

    return lambda text: redact_text(target.scrub(text), redaction)


def _stop_scrub(target: Target) -> Callable[[str], str]:
    """What the line a broken target stops the run with is cleaned of: as a crash's
    (:func:`_crash_scrub`; the first error may be a 401 repeating the request), but the
    target's URL and host stay as the target file writes them, for the user to check."""
    redaction = load_project_config().privacy.redaction
    if not redaction.enabled:
        return target.scrub
    from ..privacy.redact import redact_message

    url = target.endpoint()
    return lambda text: redact_message(target.scrub(text), redaction, url=url)


def _recorded_counts(run_dir: RunDir) -> dict[str, Any]:
    """A finished run's counts (its summary's), or {} where they cannot be read."""
    try:
        return dict(run_dir.read_json(run_dir.summary).get("counts") or {})
    except (OSError, ValueError):
        return {}


def _other_store(
    run_id: str, recorded: str, given: str | None, again: str, reports: Path
) -> UsageError:
    """A resume with another store (``given``: ``store_url()``) than the run's team store
    (``RunState.store``): its index row, review queue and evidence would be written where the
    team's history is not."""
    from ..store.postgres import PgUrl

    here = (
        f"the embedded store ({Workspace.at(reports).index} and the evidence ledger file)"
        if given is None
        else f"the team store {PgUrl(given).display}"
    )
    return UsageError(
        f"run '{run_id}' was started with the team store {PgUrl(recorded).display}, where its "
        f"index row, review queue and evidence belong, not in {here}; resume it with: {again}"
    )


def _other_cache(run_id: str, typed: bool, reports: Path) -> str:
    """Why ``--cache`` or ``--no-cache`` cannot change on ``--resume``: the run's manifest
    records one cache setting for all its answers, so a run that was sent every request must
    not take the rest from the cache, nor a run that took answers from it be recorded as one
    that did not."""
    run_json = reports / run_id / "run.json"
    if typed:
        return (
            f"--cache: run '{run_id}' was started without reading the response cache "
            f"({run_json}); --resume continues it as it was started, sending every answer it "
            "still needs to the target: drop --cache, or start a new run"
        )
    return (
        f"--no-cache: run '{run_id}' was started reading the response cache ({run_json}); "
        "--resume continues it as it was started, its manifest counting the answers it took "
        "from the cache: drop --no-cache, or start a new run"
    )


def _other_limit(run_id: str, given: int, started_with: int | None) -> str:
    """Why ``--limit`` cannot change on ``--resume``: the run's cases were fixed when it started
    (its ``cases.jsonl``; ``options.limit`` decides if it writes evidence), so another limit
    would be silently ignored. The run's own limit is accepted: it changes nothing."""
    if started_with is None:
        return (
            f"--limit {given}: run '{run_id}' was started without --limit and resumes all its "
            "cases; drop --limit to finish it, or start a new run with --limit"
        )
    return (
        f"--limit {given}: run '{run_id}' was started with --limit {started_with} and resumes "
        f"those cases; drop --limit (or give --limit {started_with}), or start a new run"
    )


def _check_same_cases(run_dir: RunDir, loaded: LoadedSuite, limit: int | None, run_id: str) -> None:
    """An unfinished run resumes only with the cases it began with: the suite file's SHA-256
    does not cover its datasets, and a dataset edited since would leave the journal answering
    the old prompts while the manifest recorded the new dataset's hash."""
    cases = list(loaded.cases[:limit]) if limit else loaded.cases
    same = (
        run_dir.holds_cases(cases.json_lines())
        if isinstance(cases, CaseList)
        else run_dir.holds_these_cases(cases)
    )
    if not same:
        changed = ", ".join(str(path) for path, _ in loaded.dataset_files) or str(loaded.path)
        raise UsageError(
            f"run '{run_id}' began with other cases than {changed} now makes (its cases.jsonl "
            "differs: a dataset changed since); start a new run instead of resuming"
        )


def _already_finished(
    run_dir: RunDir,
    reports: Path,
    loaded: LoadedSuite,
    post: PostRunOptions,
    repair: str,
    *,
    scoring: _Scoring,
    endpoint: str | None,
    retry_cmd: str | None = None,
    note: str | None = None,
) -> RunOutcome:
    """``--resume`` of a finished run: rewriting summary.json and manifest.json would change the
    hashes its evidence records hold and make the ledger report tampering, so only the post-run
    steps are redone, after the redacted copies of its inputs take their place if the run
    stopped before they did (``privacy.stored``), and its results.jsonl, if deleted since, is
    made again from its journal where it comes out the very file the run wrote
    (``_restore_results``). ``retry_cmd``: this resume's command with ``--retry-errors``, the
    way on from a run that failed on its error rate; ``note``: what to say instead of "already
    complete"."""
    from ..privacy.stored import commit_redacted_inputs

    commit_redacted_inputs(run_dir.path)
    finished = read_run(run_dir.path)
    edited = finished.summary_changed()
    if edited is not None:
        # Its verdicts, exit_code and status would be printed as the run's, returned as this
        # command's status, and written into runs.db (``runs list``, the web app's runs page).
        raise RunFailedError(
            f"{edited}; --resume does not record the run again from it: restore the file the "
            "run wrote, or run the suite again"
        )
    from ..register.purges import note_purges

    # Whether a purge recorded in the ledger deleted its rows: said so, not "missing".
    note_purges(finished, Workspace.at(reports, ledger=post.ledger_path).ledger)
    missing = finished.results_missing()
    restored = None
    if missing is not None:
        restored = _restore_results(run_dir, finished, missing, loaded, post, scoring, endpoint)
    changed = finished.results_changed()
    if changed is not None:
        # "its results are unchanged" would be false, and its reports would be rewritten
        # without the rows their worst cases come from. Not made again from the journal: the
        # file may be all there is to show what was done to it.
        raise RunFailedError(f"{changed}; {WITHOUT_ITS_ROWS}")
    summary = finished.summary
    outcome = RunOutcome(run_dir.run_id, run_dir.path, summary, int(summary["exit_code"]))
    if restored is not None:
        outcome.notes.append(restored)
    outcome.notes.append(
        note or f"run {run_dir.run_id} was already complete; its results are unchanged"
    )
    hint = None if retry_cmd is None else retry_hint(summary, retry_cmd)
    if hint is not None:
        outcome.notes.append(hint)
    _publish(
        outcome,
        reports,
        evidence_for=bool(loaded.suite.evidence_for),
        post=post,
        repair=repair,
        summary_just_written=False,  # read from disk: it may have been edited since
    )
    return outcome


WITHOUT_ITS_ROWS = (
    "--resume does not finish a run again without the rows it wrote: restore the file the run "
    "wrote, or run the suite again"
)


@dataclass
class _Scoring:
    """Where a resume scores (its executor) and who follows the scorers: what scoring a
    finished run's journal again needs (``_restore_results``)."""

    runner: Executor
    progress: ScoringProgress | None = None


def _restore_results(
    run_dir: RunDir,
    finished: RunLog,
    missing: str,
    loaded: LoadedSuite,
    post: PostRunOptions,
    scoring: _Scoring,
    endpoint: str | None,
) -> str:
    """A finished run's results.jsonl, deleted or lost since, made again from its journal the
    way the run made it (``_stream_rows``: the suite unchanged, which ``--resume`` checked) and
    put in place only where it is the file the run wrote: its SHA-256 is the one manifest.json
    records (which records no size). It is written beside it under a temporary name and renamed
    (``AtomicStream``): a restore cut short leaves no results.jsonl, and the next ``--resume``
    clears what it left (``remove_stale_temporary_files``). Rows that come out otherwise are not
    the run's and must not stand for them: refused, the folder left as it was. Nothing is
    tried without the journal and the cases (a run purged under the retention policy), or a
    recorded SHA-256 to check the rows by. Returns the line that says what was done."""
    recorded = (finished.manifest_model.results.sha256 if finished.manifest_model else None) or ""
    journal = run_dir.responses
    if not (
        recorded
        and finished.results_path == run_dir.results
        and journal.is_file()
        and run_dir.cases.is_file()
    ):
        raise RunFailedError(f"{missing}; {WITHOUT_ITS_ROWS}")
    from .rowstream import RowSinks

    cases = CaseList.build(run_dir.iter_cases())
    index = _journal_index(run_dir, build_requests(loaded, cases))
    try:
        if left := index.missing():
            raise RunFailedError(
                f"{missing}; {journal} holds no response for {left} of the run's requests "
                f"(damaged or cut short), so its rows cannot be made again; {WITHOUT_ITS_ROWS}"
            )
        privacy = load_project_config().privacy
        context = _scoring_context(loaded, post.register_path, privacy, run_dir.run_id)
        session = _open_scoring(scoring.runner, loaded, context, scoring.progress, len(cases))
        try:
            results = RunLogWriter(run_dir.path).results_stream(only_if=recorded)
            made = _stream_rows(
                loaded, cases, index, session, RowSinks(), results, privacy, endpoint
            )
        finally:
            session.close()
    finally:
        index.close()
    if made.results_sha256 != recorded:
        raise RunFailedError(
            f"{run_dir.results}: missing, and the rows made again from {journal} are not the ones "
            f"the run wrote (sha256 {made.results_sha256}, not the {recorded} its manifest.json "
            f"records): {_why_rows_differ(run_dir, finished)}; nothing was written; "
            f"{WITHOUT_ITS_ROWS}"
        )
    return (
        f"restored {RESULTS} from the journal: identical to the file the run wrote "
        f"(sha256 {recorded})"
    )


def _why_rows_differ(run_dir: RunDir, finished: RunLog) -> str:
    """The likely reason a finished run's journal, scored again, does not give the rows it
    wrote: its journal or cases changed since (their hashes in manifest.json), the privacy
    policy its rows were stored under, the redacted journal of a run stored redacted, or else
    what cannot be checked (a scorer, a judge model, the register's audience)."""
    hashed = finished.manifest_model.hashed_files() if finished.manifest_model else {}
    for path in (run_dir.responses, run_dir.cases):
        recorded = hashed.get(path.name)
        if recorded is not None and sha256_file(path) != recorded:
            return (
                f"{path} does not match the SHA-256 in its manifest.json (damaged or edited "
                "since the run)"
            )
    stored_under = finished.summary.get("privacy") or {}
    policy = load_project_config().privacy
    now_under = policy.fingerprint() if policy.redaction.enabled else None
    if stored_under.get("policy_sha256") != now_under:
        return (
            "the project's privacy policy (assurance.yaml) is not the one the run stored its "
            "rows under"
        )
    if stored_under:
        return (
            "the run was stored redacted: its journal holds the redacted responses, not "
            "those it scored"
        )
    return (
        "likely a scorer or a judge model that answers otherwise now, or the register's "
        "audience changed since the run"
    )


def _errored(run_dir: RunDir, requests: RequestPlan) -> int:
    """Requests whose latest journal record is an error (what ``--retry-errors`` sends)."""
    index = _journal_index(run_dir, requests)
    try:
        return index.errors()
    finally:
        index.close()


def _journal_index(run_dir: RunDir, requests: RequestPlan) -> JournalIndex:
    """Where the journal holds each request's response (spilled to the run folder)."""
    cases, samples = requests.cases, requests.suite.samples
    return index_journal(run_dir.responses, cases, samples, folder=run_dir.path)


def _send_pending(
    runner: Executor,
    target: Target,
    requests: RequestPlan,
    run_dir: RunDir,
    *,
    prefetch: Prefetch,
    resumed: bool,
    concurrency: int | None,
    use_cache: bool | None,
    read_cache: bool,
    max_age_s: float | None,
    cache_path: Path,
    progress: ProgressFn | None,
    resume_cmd: str,
    target_path: str | Path,
    notes: list[str],
    warnings: list[str],
    errors_before: int | None = None,
) -> JournalIndex | None:
    """Send what the journal does not hold yet, and with ``errors_before`` (a retry of the
    run's errors in progress) the requests whose last record is an error journalled before
    that byte; on failure or Ctrl-C say how to continue. Returns the journal index noted while
    sending a fresh run (``JournalNotes``; the caller closes it), or None: the journal is read
    for it."""
    pending: Sequence[GenerationRequest] = requests
    total = len(requests)
    offset = base_errors = 0

    def closed_late(timeout_s: float) -> None:
        warnings.append(
            f"{target_path}: the target's close() did not return within its timeout_s "
            f"({timeout_s:g} s); the run went on without it (every answer is saved)"
        )

    journal_notes: JournalNotes | None = None

    def still_to_send(index: JournalIndex) -> int:
        retrying = index.retrying(errors_before) if errors_before is not None else 0
        return index.missing() + retrying

    try:
        if run_dir.responses.exists():  # resumed: what the journal holds is not sent again
            index = _journal_index(run_dir, requests)
            try:
                todo = still_to_send(index)
                offset, base_errors = total - todo, index.errors() - (todo - index.missing())
                if offset:
                    pending = requests.select(index.pending(errors_before=errors_before))
            finally:
                index.close()
        elif not resumed:
            journal_notes = JournalNotes(run_dir, requests)
            pending = journal_notes.requests()
    except OSError as exc:  # a spilled index: a full or read-only disk
        if _nothing_recorded(run_dir, resumed):
            shutil.rmtree(run_dir.path, ignore_errors=True)
            raise _storage_failure(
                exc, _failed_file(exc) or run_dir.path, "nothing was sent; fix it and run again"
            ) from None
        raise _storage_failure(
            exc,
            _failed_file(exc) or run_dir.path,
            f"nothing more was sent; after fixing this, continue with: {resume_cmd}",
        ) from None
    wrapped: ProgressFn | None = None
    if progress is not None:
        progress(offset, total, base_errors)

        def wrapped(finished: int, _total: int, errors: int) -> None:
            progress(offset + finished, total, base_errors + errors)

    try:
        run_dir.open_journal()  # made or opened here: failing is a storage fault like a write's
        if pending:
            _send(
                runner,
                target,
                pending,
                run_dir,
                concurrency=concurrency or target.spec.concurrency,
                use_cache=use_cache,
                read_cache=read_cache,
                max_age_s=max_age_s,
                cache_path=cache_path,
                progress=wrapped,
                prefetch=prefetch,
                notes=notes,
                on_record=journal_notes.on_record if journal_notes is not None else None,
                on_close_timeout=closed_late,
            )
        run_dir.close_journal()  # the last records written: failing here is a storage fault
        return journal_notes.finish() if journal_notes is not None else None
    except TargetUnusableError as exc:
        # A broken target, found by the probe: the run folder stays (its cases are written)
        # so that once the endpoint is fixed outside the target file, resuming sends it all.
        # Its message quotes the first error as it came (a 401 may repeat the request).
        exc.args = tuple(_stop_scrub(target)(str(arg)) for arg in exc.args)
        run_dir.close_journal(check=False)
        if errors_before is not None:
            raise  # a retry of the run's errors: the run is recorded as its journal stands
        exc.add_line(
            "nothing else was sent; after fixing the endpoint (same target file) "
            f"continue with: {resume_cmd}"
        )
        change = "after changing the target file,"
        if exc.timeout_s is not None:  # the endpoint may only be slow: the file is the fix
            change = f"if it is only slow, raise timeout_s in {target_path} and"
        exc.add_line(
            f"or, {change} run again; "
            f"'assurance targets check {target_path}' tests it with one request"
        )
        raise
    except HarnessError as exc:
        run_dir.close_journal(check=False)
        if _nothing_recorded(run_dir, resumed):  # a key not exported, a module not found
            shutil.rmtree(run_dir.path, ignore_errors=True)
        else:
            exc.add_line(f"the responses so far are saved; continue with: {resume_cmd}")
        raise
    except KeyboardInterrupt:
        raise  # the journal is closed below; run_suite says how much it holds (_interrupted)
    except (OSError, sqlite3.Error) as exc:  # the journal or the cache: disk full, read-only
        run_dir.close_journal(check=False)
        where = (_failed_file(exc) or run_dir.path) if isinstance(exc, OSError) else cache_path
        if _nothing_recorded(run_dir, resumed):  # the journal could not be made, or written
            shutil.rmtree(run_dir.path, ignore_errors=True)
            raise _storage_failure(
                exc, where, "no response was recorded; fix it and run again"
            ) from None
        raise _storage_failure(
            exc,
            where,
            f"the responses so far are saved; after fixing this, continue with: {resume_cmd}",
        ) from None
    except BaseException as exc:  # a bug (ours, an adapter's, a plugin's): exit 3, not a
        # traceback, nor a plugin's SystemExit status; its target file named where it is its own
        run_dir.close_journal(check=False)
        origin = TargetOrigin(str(target_path), type(target))
        if _nothing_recorded(run_dir, resumed):
            shutil.rmtree(run_dir.path, ignore_errors=True)  # as for any failure before sending
            raise internal_error(
                exc,
                scrub=_crash_scrub(target),
                then="no response was recorded; run again after a fix",
                origin=origin,
            ) from None
        raise internal_error(
            exc,
            folder=run_dir.path,
            scrub=_crash_scrub(target),
            then=f"the responses so far are saved; after a fix, continue with: {resume_cmd}",
            origin=origin,
        ) from None
    finally:
        run_dir.close_journal(check=False)  # closed above, unless stopped (Ctrl-C) or failing
        if journal_notes is not None:
            journal_notes.give_up()  # closes its index unless finish() handed it over


def _nothing_recorded(run_dir: RunDir, resumed: bool) -> bool:
    """Whether a fresh run failing before its first response reached the journal: its folder
    is then removed, as for any failure before sending (its cases or run.json not written),
    and the way on is to run again: no half-made run for 'runs' and '--resume' to explain, nor
    to hold the space of a full disk. A journal that cannot be read counts as recorded (kept)."""
    if resumed:
        return False
    try:
        return not run_dir.has_responses()
    except (OSError, HarnessError):
        return False


def _reviewed_figures(
    run: _Run, gates: Sequence[GateSpec], scorers: Mapping[str, Any], label: Any
) -> RunFigures | None:
    """Each scorer's precision and recall against the human verdicts the evidence ledger backs,
    given so far on runs of this target (fingerprint) with the scorer configured as this run
    records it (``scorers``: the descriptions summary.json will hold; ``label``: the suite's
    review label), read only when a gate's ``min_validity`` may use them (the store is not
    touched otherwise). A verdict left out is named in ``run.left_out``."""
    if not any(g.min_validity and g.validity_from != "card" for g in gates):
        return None
    from ..review.backing import backed_validity

    figures, unbacked = backed_validity(
        run.reports, target=run.fingerprint, ledger=run.post.ledger_path
    )
    run.left_out += [f"min_validity {u.left_out()}" for u in unbacked]
    if figures.gone:  # judged on the verdicts that remain, saying which were not counted
        run.left_out.append(f"min_validity {figures.gone.left_out()}")
    return figures.for_run(scorers, label, run.run_dir.run_id)


def _score(run: _Run) -> Verdict:
    """Score every response, compute the metrics and judge the gates, a chunk of rows at a
    time (``rowstream``): the rows go to results.jsonl as they are scored, and only the run's
    counts and what the metrics read stay in memory: compact columns of numbers
    (``metrics.columns``) when the suite's metric kinds allow, else a slim copy of each row
    (keys and scores, no text). A review policy's marks of each row go to a temporary file
    (``review.queuecolumns``), whatever the metric kinds."""
    # Imported here, not with this module: a run imports them while its requests are out
    # (``prefetch``), so they do not delay the first request.
    from ..metrics.columns import MetricColumns, compact_supported
    from ..metrics.engine import compute_metrics, judge_gate
    from ..review.queuecolumns import QueueColumns
    from ..scorers.validity import attach_validity
    from ..spec.recorded import metric_spec_fields
    from . import rowstream
    from .record import Verdict

    loaded = run.loaded
    suite = loaded.suite
    samples = suite.samples
    # The run's per-request state goes to anonymous files in its folder (``store.spill``).
    folder = run.run_dir.path
    index = run.journal if run.journal is not None else _journal_index(run.run_dir, run.requests)
    run.journal = None  # closed below, as one read from the journal is
    try:
        _check_complete(run, index)
    except BaseException:
        index.close()
        raise
    privacy = load_project_config().privacy  # read once: the scorers' and the stored rows'
    context = _scoring_context(loaded, run.post.register_path, privacy, run.run_dir.run_id)
    cases = run.cases
    sink: SlimRows | MetricColumns = (
        MetricColumns(
            loaded.metrics,
            samples=samples,
            case_id=lambda i: cases[i].id,
            folder=folder,
            gated={g.metric for g in suite.gates},
        )
        if compact_supported(loaded.metrics, suite.gates)
        else rowstream.SlimRows(repr([m.raw for m in loaded.metrics]))
    )
    marks = (
        None
        if suite.review is None
        else QueueColumns(
            suite.review,
            seed=suite.seed,
            samples=samples,
            case_id=lambda i: cases[i].id,
            folder=folder,
        )
    )
    scoring = _open_scoring(run.runner, loaded, context, run.scoring_progress, len(cases))
    try:
        totals = _stream_rows(
            loaded,
            cases,
            index,
            scoring,
            sink if marks is None else rowstream.RowSinks(sink, marks),
            RunLogWriter(run.run_dir.path).results_stream(),
            privacy,
            run.target.endpoint(),
        )
    finally:
        scoring.close()
        index.close()
    rows: list[dict[str, Any]] | MetricColumns
    if isinstance(sink, MetricColumns):
        metric_values, rows = sink.compute(seed=suite.seed), sink
    else:
        metric_values, rows = compute_metrics(loaded.metrics, sink.rows, seed=suite.seed), sink.rows
    specs = {m.id: m for m in loaded.metrics}
    reviewed = _reviewed_figures(
        run, suite.gates, scoring.provenance, None if suite.review is None else suite.review.label
    )
    gates = [
        attach_validity(
            judge_gate(g, metric_values.get(g.metric), specs.get(g.metric), rows),
            g,
            specs.get(g.metric),
            loaded.scorers,
            reviewed,
        )
        for g in suite.gates
    ]
    review = None if marks is None else _review_queue(suite, marks, gates)
    return Verdict(
        totals=totals,
        scorer_info=scoring.provenance,
        metrics={
            spec.id: {**metric_spec_fields(spec), **metric_values[spec.id].to_dict()}
            for spec in loaded.metrics
        },
        gates=gates,
        review=review,
        cache={
            "read": run.read_cache,
            "cached": sum(totals.from_runs.values()),
            "requests": totals.rows,
            "from_runs": totals.from_runs,
            "max_age_s": run.max_age_s,
        },
        audience=context.audience,
        privacy=totals.privacy_info,
        executor=None if run.runner.name == "local" else run.runner.name,
    )


def _scoring_context(
    loaded: LoadedSuite, register_path: Path | None, privacy: PrivacyPolicy, run_id: str
) -> SuiteContext:
    """What the scorers are told: the suite's, with the register's audience where the suite
    names none (``_register_audience``), whether the run stores its text redacted (the
    project's ``privacy`` policy), and the run's id (noted with a scorer's cached answers)."""
    context = loaded.context()
    context.run_id = run_id
    if context.audience is None:
        context.audience = _register_audience(register_path)
    context.redaction = privacy.redaction if privacy.redaction.enabled else None
    return context


def _open_scoring(
    runner: Executor,
    loaded: LoadedSuite,
    context: SuiteContext,
    progress: ScoringProgress | None,
    n_cases: int,
) -> ScoringSession:
    """The suite's scorers, ready on ``runner``, telling ``progress`` how far they are."""
    from .scoreprogress import RunScoringProgress

    tracker = (
        None if progress is None else RunScoringProgress(progress, n_cases * loaded.suite.samples)
    )
    scoring = runner.open_scoring(loaded.scorers, context, progress=tracker)
    return scoring if tracker is None else tracker.wrap(scoring)


def _stream_rows(
    loaded: LoadedSuite,
    cases: Sequence[Case],
    index: JournalIndex,
    scoring: ScoringSession,
    sinks: RowSink,
    results: ResultsStream,
    privacy: PrivacyPolicy,
    endpoint: str | None,
) -> RowTotals:
    """The run's rows from its journal, made, scored, handed to ``sinks`` and stored into
    ``results``: the one path of a run's scoring and of its results made again from the
    journal (``_restore_results``), so both write the same bytes where nothing changed.
    ``endpoint``: the target's URL, which stored errors keep as written under redaction."""
    from ..privacy.redact import endpoint_kept
    from . import rowstream

    samples = loaded.suite.samples
    return rowstream.stream_rows(
        index=index,
        cases=cases,
        samples=samples,
        make_row=_row,
        scoring=scoring,
        metrics=sinks,
        # Scored on the original text; stored redacted under the project's privacy policy.
        privacy_policy=privacy,
        keep=endpoint_kept(endpoint),
        results=results,
        # A run-scope scorer compares rows with each other: it needs them all at once.
        chunk_rows=(
            len(cases) * samples if has_run_scope(loaded.scorers) else rowstream.CHUNK_ROWS
        ),
    )


def _check_complete(run: _Run, index: JournalIndex) -> None:
    """Every request has a response, and a retry of the run's errors in progress sent each of
    them again unless it stopped (then it is closed here, with what it came to)."""
    missing = index.missing()
    if missing:
        raise UsageError(f"{missing} requests have no response yet; resume with '{run.resume_cmd}'")
    retry = run.state.open_retry()
    if retry is None:
        return
    left = index.retrying(retry.journal_offset)
    if left and retry.stopped is None:
        raise UsageError(
            f"{left} errored requests have not been sent again yet; resume with '{run.resume_cmd}'"
        )
    samples = run.loaded.suite.samples
    run.retried = close_retry(run.run_dir, retry, index, run.cases, samples, now())


def _finish(run: _Run) -> RunOutcome:
    # What scoring and recording need, built before either uses it, and with a Ctrl-C held
    # until it is: where the prefetch thread did not run, it was built where first used, and a
    # Ctrl-C landing in pydantic's compiled core there was lost or became a SchemaError.
    with forcestop.deferred():
        after_sending_here()
    from .record import record_run
    from .rowstream import empty_answers_warning

    verdict = _score(run)
    spec = run.target.spec
    empty = empty_answers_warning(verdict.totals)
    said = [empty] if empty else []
    summary: Summary = record_run(
        run_dir=run.run_dir,
        reports=run.reports,
        loaded=run.loaded,
        state=run.state,
        target={"name": spec.name, "type": spec.type, "fingerprint": run.fingerprint},
        target_public=run.target.public_config(),
        endpoint=run.target.endpoint(),
        verdict=verdict,
        n_cases=len(run.cases),
        started_at=run.state.started_at,
        finished_at=now(),
        command=run.command or run.state.command or _default_command(run.state),
        environment=run.environment,
        warnings=run.warnings + run.left_out + said,
    )
    data = read_run(run.run_dir.path).summary
    outcome = RunOutcome(run.run_dir.run_id, run.run_dir.path, data, summary.exit_code)
    if run.retried is not None:
        outcome.notes.append(run.retried)
    outcome.warnings.extend(run.left_out + said)
    hint = retry_hint(data, run.retry_cmd)
    if hint is not None:
        outcome.notes.append(hint)
    _publish(
        outcome,
        run.reports,
        evidence_for=bool(run.loaded.suite.evidence_for),
        post=run.post,
        repair=run.resume_cmd,
        summary_just_written=True,
    )
    return outcome


def _queue_reviews(outcome: RunOutcome, reports: Path) -> None:
    """Store the run's review queue (its summary's) in runs.db. Done with the post-run steps,
    so ``--resume`` of a finished run redoes it when a runs.db fault stopped it; queueing a run
    again changes nothing. A run whose errors were retried (summary ``retries``) was measured
    again, and its queue with it: the stored queue is replaced by the summary's (rows with a
    verdict stay, ``ReviewStore.enqueue``), else reviewers would be asked for rows the run no
    longer queues. A purged run (no results.jsonl) is left as it is."""
    review = outcome.summary.get("review") or {}
    queue = review.get("queue") or []
    replace = bool(review) and bool(outcome.summary.get("retries"))
    run_dir = RunDir(outcome.run_dir)
    if not (queue or replace) or not run_dir.results.exists():
        return
    from ..review.store import ReviewStore

    # The queue keeps prompts and responses in runs.db: the stored (redacted) copies.
    ReviewStore(reports / "runs.db").enqueue(
        outcome.run_id, queue, _stored_rows(run_dir, queue), replace=replace
    )


def _stored_rows(run_dir: RunDir, queue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The queued rows as stored (redacted under the privacy policy), read back from
    results.jsonl: a streamed run does not keep its rows."""
    wanted = {item["key"] for item in queue}
    rows = []
    with run_dir.results.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if case_key(row["case_id"], row["sample"]) in wanted:
                rows.append(row)
    return rows


def _publish(
    outcome: RunOutcome,
    reports: Path,
    *,
    evidence_for: bool,
    post: PostRunOptions,
    repair: str,
    summary_just_written: bool,
) -> None:
    """The post-run steps (reports, evidence, index) for a finished run; all are safe to redo.
    A step that was due and failed makes the run exit 3: its verdict stands, but it is not
    recorded where the register and the comparisons look. ``summary_just_written``: this
    process measured the run and wrote its summary.json (else it was read from disk, and the
    evidence step checks it against the results)."""
    _queue_reviews(outcome, reports)
    result = run_post_steps(
        outcome.run_dir,
        outcome.run_id,
        reports,
        evidence_for=evidence_for,
        options=post,
        repair=repair,
        summary_just_written=summary_just_written,
    )
    outcome.notes.extend(result.notes)
    if result.failed:
        outcome.exit_code = max(outcome.exit_code, RunFailedError.exit_code)


def _register_audience(register_path: str | Path | None) -> dict[str, Any] | None:
    """The register's audience, for a suite that names none: an answer for adults must not be
    rated suitable because the suite forgot to say the product is for children."""
    if register_path is None or not Path(register_path).exists():
        return None
    from ..register.loader import load_register

    try:
        audience = load_register(register_path).register.system.audience
    except HarnessError:
        return None  # attaching evidence reports a broken register; the run goes on
    if audience.min_age is None and audience.max_age is None:
        return None
    # Unset ages are left out, so a scorer's own default applies to them.
    return {**audience.model_dump(exclude_none=True), "source": str(register_path)}


def _review_queue(suite: Any, marks: QueueColumns, gates: list[dict[str, Any]]) -> dict[str, Any]:
    """The rows a person must see (the suite's ``review:`` policy); gates that require review
    wait for it: ``awaiting_review`` until every flagged row has a verdict."""
    from ..review.policy import queue_summary

    try:
        queue = marks.queue(gates)
    finally:
        marks.close()
    summary = queue_summary(suite.review, queue)
    for spec, gate in zip(suite.gates, gates, strict=True):
        if spec.require_reviewed:
            gate["require_reviewed"] = True
            if gate["verdict"] == "pass" and summary["required"]:
                gate["verdict"] = "awaiting_review"
    return summary


def command_line() -> str:
    return " ".join(shlex.quote(a) for a in ["assurance", *sys.argv[1:]])
