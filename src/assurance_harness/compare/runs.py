"""Find runs by id or path, and list a suite's runs in time order.

The SQLite run index (``store.index.RunIndex``) is the first place to look; a scan of the
reports directory is the fallback, so copied or archived run directories still work.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..store.runread import (
    RunLog,
    locate_run_dir,
    missing_run_folder,
    missing_run_text,
    read_run,
    read_run_object,
    scan_runs,
)
from ..store.runread import resolve_run as _resolve_run
from ..workspace import Workspace


def index_path(reports_dir: Path | str) -> Path:
    return Workspace.at(reports_dir).index


def _index_records(reports_dir: Path, suite: str | None = None) -> list[dict[str, Any]]:
    """The index's rows (none without an index); an index that cannot be read is a
    StoreError, never a silent scan of the folders instead (``store.index.open_index``)."""
    from ..store.index import open_index

    index = open_index(index_path(reports_dir))
    return [] if index is None else list(index.list_runs(suite=suite))


def resolve_run(ref: str, reports_dir: Path | str = "reports") -> RunLog:
    """A run id (the index, then the reports directory, then a unique prefix) or a run path:
    ``store.runlog.resolve_run``'s rules, read with ``read_run``; a run whose rows are gone
    knows whether a recorded retention purge deleted them (``read_compared``)."""
    return read_compared(_resolve_run(ref, reports_dir), reports_dir)


def read_compared(run_dir: Path | str, reports_dir: Path | str) -> RunLog:
    """A run to compare or accept as a baseline, read with ``read_run`` and told which of its
    files a purge recorded in the reports' evidence ledger deleted (``register.purges``): a
    purged run's rows are then said to be purged (when), not missing, and a lost file is
    never taken for a purged one. Told too the hashes its evidence there holds
    (``ledger_hashes``), so a file edited with its manifest rewritten to match is refused."""
    from ..register.purges import note_purges

    ledger = Workspace.at(reports_dir).ledger
    return _with_ledger_hashes(note_purges(read_run(run_dir), ledger), ledger)


def _with_ledger_hashes(run: RunLog, ledger: Path) -> RunLog:
    """``run`` told the hashes its evidence in ``ledger`` holds (``RunLog.ledger_hashes``):
    its ``summary_changed`` and ``results_changed`` then refuse a file edited with the
    manifest's hash rewritten to match. The ledger is read once per command however many runs
    it reads (``ledger_run_hashes``); with no ledger, nothing changes."""
    from ..register.ledger_hashes import ledger_run_hashes, note_ledger_hashes

    return note_ledger_hashes(run, ledger_run_hashes(ledger))


def _scan(reports_dir: Path) -> list[Path]:
    return sorted(scan_runs(reports_dir), key=lambda p: _started_at(p))


def _started_at(run_dir: Path) -> str:
    """For ordering only: a summary that cannot be read sorts first, and ``read_run`` names
    its damage where the run is used."""
    try:
        data = read_run_object(run_dir / "summary.json")
    except UsageError:  # not JSON, not UTF-8, a pipe, unreadable
        return ""
    return str((data or {}).get("started_at") or "")


def suite_runs(
    reports_dir: Path | str,
    suite: str,
    *,
    target: str | None = None,
    left_out: list[str] | None = None,
) -> list[RunLog]:
    """Finished runs of a suite (optionally of one target name), oldest first.

    ``left_out`` gets why each run the index lists for the suite could not be read (a damaged
    summary.json, a folder deleted with its row kept): a caller showing the series says so,
    rather than a gap that reads as no run.
    A folder found only by the scan whose files cannot be read may be of any suite: skipped."""
    runs = list(iter_suite_runs(reports_dir, suite, target=target, left_out=left_out))
    runs.sort(key=run_order)
    return runs


def unreadable_since(
    reports_dir: Path | str, suite: str, target: str, started: str
) -> list[tuple[str, str, str]]:
    """``(started_at, run_id, why)`` of each run the index lists for ``suite`` and target name
    ``target``, started no earlier than ``started``, whose folder is there but cannot be read
    (a summary.json cut short, not JSON, not a summary: ``read_run`` says why), oldest first.
    ``suite_runs`` passes such a run over, so a caller taking the latest of its runs would
    take the one before it instead without this (``baseline check``). Only the index knows a
    damaged run's suite and start; a folder missing altogether is ``gone_since``'s."""
    reports_dir = Path(reports_dir)
    found: list[tuple[str, str, str]] = []
    for begun, record in _indexed_since(reports_dir, suite, target, started):
        run_dir = locate_run_dir(record.get("run_dir"), reports_dir)
        if run_dir is None:
            continue
        try:
            read_run(run_dir)
        except UsageError as exc:
            found.append((begun, str(record.get("run_id")), str(exc)))
    return sorted(found)


def gone_since(
    reports_dir: Path | str, suite: str, target: str, started: str
) -> list[tuple[str, str, Path]]:
    """``(started_at, run_id, expected folder)`` of each run the index lists for ``suite`` and
    target name ``target``, started no earlier than ``started``, whose folder is no longer
    there (deleted or moved by hand: ``missing_run_folder``), oldest first. The index keeps
    its row, and ``suite_runs`` finds no folder to read: a caller taking the latest run would
    take the one before it in its place, as for a damaged run (``unreadable_since``)."""
    reports_dir = Path(reports_dir)
    found: list[tuple[str, str, Path]] = []
    for begun, record in _indexed_since(reports_dir, suite, target, started):
        expected = missing_run_folder(record.get("run_dir"), reports_dir)
        if expected is not None:
            found.append((begun, str(record.get("run_id")), expected))
    return sorted(found)


def _indexed_since(
    reports_dir: Path, suite: str, target: str, started: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The index's rows of ``suite`` and target name ``target`` started no earlier than
    ``started``, each with its start."""
    for record in _index_records(reports_dir, suite):
        begun = str(record.get("started_at") or "")
        if record.get("target_name") == target and begun >= started:
            yield begun, record


def run_order(run: RunLog) -> tuple[str, str]:
    """Where a run sorts among its suite's: when it started, then its id."""
    return str(run.summary.get("started_at") or ""), run.run_id


def iter_suite_runs(
    reports_dir: Path | str,
    suite: str,
    *,
    target: str | None = None,
    left_out: list[str] | None = None,
) -> Iterator[RunLog]:
    """``suite_runs``'s runs one at a time, in no order: for a caller that takes a few figures
    from each (``trend``), so a long history is never held whole (2,000 runs' summaries and
    manifests took about 90 MB).

    Each run once: a folder holding a run already read (a copy, ``reports/ID.bak``, or an
    archive restored beside its run) is passed over, so a trend never draws one run as two
    nights. The run's own folder is read first: the index's, else the one named for it; a
    folder of another name is read last (only its path held meanwhile). Each is told the hashes
    its evidence in the reports' ledger holds (``RunLog.ledger_hashes``)."""
    reports_dir = Path(reports_dir)
    ledger = Workspace.at(reports_dir).ledger
    dirs: dict[str, Path] = {}
    indexed: set[str] = set()
    gone: dict[str, Path] = {}  # run id -> where its folder was
    for record in _index_records(reports_dir, suite):
        run_dir = locate_run_dir(record.get("run_dir"), reports_dir)
        if run_dir is not None:
            dirs[str(record.get("run_id"))] = run_dir
            indexed.add(str(run_dir))
        elif target is None or record.get("target_name") == target:
            expected = missing_run_folder(record.get("run_dir"), reports_dir)
            if expected is not None:
                gone[str(record.get("run_id"))] = expected
    for run_dir in _scan(reports_dir):
        dirs.setdefault(run_dir.name, run_dir)
    seen: set[str] = set()
    elsewhere: list[Path] = []

    def in_turn() -> Iterator[tuple[str | None, Path]]:
        yield from dirs.items()
        yield from ((None, d) for d in elsewhere)  # appended to while the first pass runs

    for key, run_dir in in_turn():
        try:
            run = read_run(run_dir)
        except UsageError as exc:
            if left_out is not None and str(run_dir) in indexed:
                left_out.append(str(exc))
            continue
        if key is not None and key != run.run_id and run_dir.name != run.run_id:
            elsewhere.append(run_dir)  # perhaps a copy: after the run's own folder
            continue
        if run.run_id in seen:
            continue
        seen.add(run.run_id)
        if run.suite_name != suite:
            continue
        if target is not None and run.target_name != target:
            continue
        yield _with_ledger_hashes(run, ledger)
    if left_out is not None:  # gone, unless its folder was found under another name
        left_out.extend(missing_run_text(i, p) for i, p in gone.items() if i not in seen)
