"""The runs a listing shows: the run index's rows and the run folders it lacks, the one source
of ``runs list``, the web app's runs page and the static ``reports/index.html``.

The index holds finished runs only: a run killed before it wrote summary.json (``kill -9``, the
machine went down) has no row anywhere, and a view that read the index alone showed a list that
looked complete, without the run or the command that resumes it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .runcommands import resume_of
from .runread import unfinished_runs, unindexed_runs


@dataclass(frozen=True)
class RunListing:
    """What a listing shows, and what it has to say besides."""

    rows: list[dict[str, Any]]
    """Index rows (``runlog.IndexRow``), newest first; an unfinished run's is ``running``, or
    ``interrupted`` with its ``resume`` command; a finished one the index lacks has
    ``indexed: False``."""
    unindexed: int
    """How many of ``rows`` are finished runs the index lacks (their fix: a resume indexes
    one)."""
    unlisted: list[str]
    """Why each run folder that could not be read was left out (a damaged run.json or
    summary.json, named with its fix): said, never dropped without a word."""


def with_run_folders(
    rows: list[dict[str, Any]],
    reports: Path,
    indexed: set[str],
    *,
    suite: str | None = None,
    limit: int | None = None,
) -> RunListing:
    """``rows`` (of the index, whose run ids are ``indexed``) with the run folders under
    ``reports`` the index lacks: finished ones (``runread.unindexed_runs``), and unfinished
    ones (``runread.unfinished_runs``: ``running``, or ``interrupted`` with the ``resume``
    command); newest first, the newest ``limit`` (None: all). An indexed row whose run is
    unfinished again (a retry of its errors in progress, or cut short: the retry marks the row
    ``running`` as it begins) takes the folder's status. Only reads: the index and the folders
    are not changed."""
    extra, unreadable = unindexed_runs(reports, indexed, suite=suite)
    unfinished, damaged = unfinished_runs(reports, suite=suite)
    listed = {str(row["run_id"]): row for row in rows}
    for run in unfinished:
        row = run.row(reports)
        if run.status == "interrupted":
            row["resume"] = resume_of(run.state, reports)
        if row["run_id"] not in indexed:
            extra.append(row)
        elif row["run_id"] in listed:  # its counts are the run's as it was; its status is now
            listed[row["run_id"]].update(status=row["status"], finished_at=None)
            if "resume" in row:
                listed[row["run_id"]]["resume"] = row["resume"]
    if not extra:
        return RunListing(rows, 0, unreadable + damaged)
    merged = sorted(rows + extra, key=lambda r: str(r["run_id"]), reverse=True)
    merged.sort(key=lambda r: str(r["started_at"] or ""), reverse=True)
    merged.sort(key=lambda r: r["started_at"] is None)
    kept = merged[:limit]
    unindexed = sum(1 for r in kept if r.get("indexed") is False)
    return RunListing(kept, unindexed, unreadable + damaged)


def is_unfinished(row: dict[str, Any]) -> bool:
    """A run folder's row with no figures yet (``runread.UnfinishedRun``): its gates and errors
    are shown blank, not as a figure the index lacks (``?``)."""
    counts = ("gates_passed", "gates_failed", "n_errors", "n_requests")
    return row["status"] in ("running", "interrupted") and all(row[c] is None for c in counts)
