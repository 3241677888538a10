"""Which of a run's files a recorded retention purge deleted, read from the evidence ledger
(``privacy.retention.purges_by_run``): what every view and command that finds a run file gone
consults, so that a deletion the policy made and the ledger keeps is said as such ("purged
<when> under the retention policy"), and a file gone without one as missing."""

from __future__ import annotations

from pathlib import Path

from ..errors import HarnessError
from ..privacy.retention import PurgedFile, purges_by_run
from ..store.runread import RecordedPurges, RunLog
from .ledger import read_ledger
from .ledger_store import run_records


def ledger_purges(ledger_path: Path) -> dict[str, dict[str, PurgedFile]]:
    """Every run's purged files (run id -> file -> what the purge recorded), the ledger read
    once: for a view of many runs (the register, the annex). Unreadable lines are passed over,
    as every view does (``evidence verify`` names them)."""
    return purges_by_run(read_ledger(ledger_path, strict=False))


def run_purges(ledger_path: Path, run_id: str) -> dict[str, PurgedFile] | None:
    """One run's purged files; None where the ledger cannot be read (a folder in its place,
    a damaged last line): then no one can say which, and the caller says both."""
    try:
        return purges_by_run(run_records(ledger_path, run_id)).get(run_id, {})
    except HarnessError:
        return None


def note_purges(run: RunLog, ledger_path: Path) -> RunLog:
    """``run``, told which of its files a recorded purge deleted (``RunLog.purges``), so its
    ``results_missing`` says purged (when) or missing, not "deleted, or purged". The ledger is
    read only where the results file is gone: an intact run costs no read of it."""
    try:
        present = run.results_path.is_file()
    except HarnessError:  # a damaged manifest: named where the results are read
        return run
    if present:
        return run
    found = run_purges(ledger_path, run.run_id)
    if found is not None:
        run.purges = RecordedPurges(
            ledger=str(ledger_path), notes={name: purged.note for name, purged in found.items()}
        )
    return run


def purged_texts(ledger_path: Path, run_ids: set[str]) -> dict[str, str]:
    """Run id -> "(purged <when> under the retention policy)" for those of ``run_ids`` a
    recorded purge emptied: ``runs purge`` deletes the prompts and responses the review queue
    keeps of a run with its files, and the queue shows this in their place, not a blank that
    reads as an empty answer. The ledger is read only where some run is asked about."""
    if not run_ids:
        return {}
    try:
        purges = ledger_purges(ledger_path)
    except HarnessError:  # a ledger that cannot be read: its views and verify name it
        return {}
    out = {}
    for run_id in run_ids:
        files = purges.get(run_id)
        if files:  # the latest record of the run: the purge that emptied it
            latest = max(files.values(), key=lambda purged: purged.purged_at or "")
            out[run_id] = f"({latest.note})"
    return out
