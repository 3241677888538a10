"""``assurance run --resume RUN --retry-errors``: send a run's errored requests again.

After a transient outage a run can end ``run_failed`` on its error rate; re-running all of it
would send every request again. A retry sends only the requests whose latest journal record is
an error, whatever the error was (a 400 or a refused connection as much as a timeout: the user
asks for it after fixing the cause). The journal stays append-only: the error records stay
where they are and the new records follow them; scoring already reads each request's latest
record (``store.journalindex``), so the rest is a resume of an unfinished run.

A retry is one ``RetryRound`` in run.json, noted before anything is sent, with the journal's
size at that moment: the requests still to send are those whose last record is an error that
begins before that byte (``JournalIndex.pending(errors_before=...)``), so an interrupted retry
is completed by any ``--resume`` without sending again what reached the journal. While a round
is open the run is ``running`` again and its summary, manifest, results and reports are
removed: they describe records that are no longer each request's latest, and a reader (``runs``,
``report``, ``evidence attach``) must meet an unfinished run, not figures that look final.
When the retried run finishes, its review queue in runs.db is replaced by the new summary's
(``ReviewStore.enqueue(replace=True)``; rows a person gave a verdict on stay, marked as no
longer queued when the run no longer queues them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..store.journalindex import JournalIndex, index_journal
from ..store.rundir import RunDir
from ..store.runlog import RetryRound, RunLogWriter, RunState
from ..workspace import Workspace


def check_not_redacted(run_dir: RunDir, summary: dict[str, Any], new_run: str) -> None:
    """Refuse (one line, exit 2) a finished run stored redacted: its journal and cases were
    replaced by redacted copies, so what was sent is gone (and its cases no longer match)."""
    if summary.get("privacy") is not None:
        raise UsageError(
            f"run {run_dir.run_id} was stored redacted under the project's privacy policy, so "
            "its cases and responses are no longer what was sent; its errored requests cannot "
            f"be sent again: start a new run instead: {new_run}"
        )


def check_not_evidence(run_dir: RunDir, ledger_path: Path, new_run: str) -> None:
    """Refuse (one line, exit 2) a run the evidence ledger holds records of: they record its
    figures and the SHA-256 of its files, which a retry would change (the ledger would then
    report tampering, or stand for figures the run no longer has)."""
    from ..register.ledger import run_records

    records = run_records(ledger_path, run_dir.run_id)
    if records:
        raise UsageError(
            f"run {run_dir.run_id} is evidence: {ledger_path} holds {len(records)} records of "
            "it, and retrying its errored requests would change the figures they record; "
            f"start a new run instead: {new_run}"
        )


def check_not_baseline(
    run_dir: RunDir, summary: dict[str, Any], reports: Path, new_run: str
) -> None:
    """Refuse (one line, exit 2) the accepted baseline of its suite and target: every later
    comparison is made against its figures as they were accepted, and a retry would change
    them without anyone accepting the new ones."""
    from ..compare.baseline import BaselineStore

    suite = str((summary.get("suite") or {}).get("name"))
    target = str((summary.get("target") or {}).get("name"))
    baseline = BaselineStore(Workspace.at(reports).index, reports=reports).get(suite, target)
    if baseline is not None and baseline.run_id == run_dir.run_id:
        raise UsageError(
            f"run {run_dir.run_id} is the accepted baseline of {suite} on {target}, and "
            "retrying its errored requests would change the figures comparisons are made "
            f"against; start a new run instead: {new_run} (then 'assurance baseline set' it)"
        )


def begin_retry(run_dir: RunDir, state: RunState, errored: int, reports: Path, when: str) -> None:
    """Open a retry of ``errored`` requests: withdraw the finished run's summary (what makes a
    folder a finished run to every reader), note the retry in run.json with the status
    ``running``, then withdraw the manifest, results and reports the summary described and mark
    the run's index row ``running``. A crash between any two steps leaves an unfinished run that
    ``--resume`` completes (with the retry once it is noted, as a plain resume before)."""
    run_dir.summary.unlink(missing_ok=True)
    round_ = RetryRound(
        started_at=when, requests=errored, journal_offset=run_dir.settled_journal_size()
    )
    state.retries = [*(state.retries or []), round_]
    state.status = "running"
    state.finished_at = None
    RunLogWriter(run_dir.path).write_state(state)
    _withdraw_record(run_dir, state, reports)


def _withdraw_record(run_dir: RunDir, state: RunState, reports: Path) -> None:
    """Remove the manifest, results and reports of the run as it was, and mark its index row
    ``running`` (its counts there are the old ones until the run is recorded again)."""
    from ..report.writer import FILE_NAMES

    for path in (
        run_dir.manifest,
        run_dir.results,
        *(run_dir.path / name for name in FILE_NAMES.values()),
    ):
        path.unlink(missing_ok=True)
    from ..store.index import open_index

    index = open_index(Workspace.at(reports).index)
    row = None if index is None else index.get(state.run_id)
    if index is not None and row is not None:
        index.upsert({**row, "status": "running", "finished_at": None})


def close_retry(
    run_dir: RunDir,
    round_: RetryRound,
    index: JournalIndex,
    cases: Sequence[Any],
    samples: int,
    when: str,
) -> str:
    """Record the open retry's outcome from the journal (``index``: each request's latest
    record; the journal read up to the retry's first byte says which requests were errors
    then) and return the line that says it, with what was not sent again if it stopped."""
    earlier = index_journal(
        run_dir.responses, cases, samples, folder=run_dir.path, stop=round_.journal_offset
    )
    try:
        answered, errors = index.retried(earlier, round_.journal_offset)
    finally:
        earlier.close()
    round_.answered, round_.errors, round_.finished_at = answered, errors, when
    if round_.stopped is not None:
        left = round_.requests - answered - errors
        return (
            f"retry of {round_.requests} errored requests stopped: {answered} answered, "
            f"{errors} errors, {left} not sent again (their errors stand): {round_.stopped}"
        )
    return f"retried {round_.requests} errored requests: {answered} answered, {errors} errors"


def retry_hint(summary: Mapping[str, Any], retry_cmd: str) -> str | None:
    """The way on from a run that failed on its error rate (``retry_cmd``: its resume command
    with ``--retry-errors``, ``run.resume_command``), from its summary; None where a retry is
    not the way on: the run did not fail, or it is stored redacted (``check_not_redacted``)."""
    errors = int((summary.get("counts") or {}).get("errors") or 0)
    if summary.get("status") != "run_failed" or not errors or summary.get("privacy") is not None:
        return None
    return f"after fixing the target, retry its {errors} errored requests with: {retry_cmd}"
