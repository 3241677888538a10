"""The SHA-256 the evidence ledger's records hold for each run's files, read for a view: the
annex checks each run file against them beside the run's own manifest.json, which whoever
edits the files can rewrite too (``evidence verify`` re-hashes the same files;
``ledger_verify``). ``compare``, ``baseline``, ``trend`` and ``review`` check the runs they
read against them too (``note_ledger_hashes``), from the team store's ledger where one is
configured, as ``evidence verify`` reads it."""

from __future__ import annotations

from pathlib import Path

from ..errors import HarnessError
from ..privacy.retention import RETENTION
from ..store.runread import RunLog
from .evidence_record import EvidenceRecord
from .ledger_store import read_ledger


def recorded_file_hashes(records: list[EvidenceRecord]) -> dict[str, dict[str, str]]:
    """Run id -> file name -> the SHA-256 its evidence records hold (the latest record's where
    several do), for each run the ledger holds evidence of; a run with none is left out. Purge
    records name the files they deleted, not the run's evidence, and are passed over."""
    out: dict[str, dict[str, str]] = {}
    for record in records:
        files = record.run.get("files")
        if record.risk_id == RETENTION or not isinstance(files, dict) or not files:
            continue
        hashes = {str(name): sha for name, sha in files.items() if isinstance(sha, str)}
        out.setdefault(record.run_id, {}).update(hashes)
    return out


_READ: dict[str, tuple[tuple[object, ...], list[EvidenceRecord]]] = {}
"""The last ledger read (its path -> its version and records), so a command that reads several
runs reads the ledger once: ``compare`` reads two, ``baseline check`` a suite's history."""


def _records(ledger: Path) -> list[EvidenceRecord]:
    """The ledger's records: the team store's rows where one is configured (``ledger_team``:
    no file is written then, and reading only the file checked nothing), else the file's;
    none where there is no ledger file (runs never recorded: nothing changes for them) or it
    cannot be read (``evidence verify`` names that; a trend or a comparison needs no ledger).
    Read once while the ledger is unchanged (the file's size, mtime and inode; the store's
    ``TeamLedger.version``): a command reading many runs pays one read."""
    from .ledger_team import team_ledger

    team = team_ledger(ledger)
    key: tuple[object, ...]
    if team is not None:
        try:
            key = (team.where, *team.version())
        except (HarnessError, OSError):
            return []
    else:
        try:
            stat = ledger.stat()
        except OSError:
            return []
        if not ledger.is_file():
            return []
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    held = _READ.get(str(ledger))
    if held is not None and held[0] == key:
        return held[1]
    try:
        records = read_ledger(ledger, strict=False)
    except (HarnessError, OSError):
        return []
    _READ.clear()  # one ledger held at a time: a long-lived process holds no history
    _READ[str(ledger)] = (key, records)
    return records


def ledger_run_hashes(ledger: Path) -> dict[str, dict[str, str]]:
    """``recorded_file_hashes`` of the ledger at ``ledger`` (none without one: ``_records``)."""
    return recorded_file_hashes(_records(ledger))


def ledger_positions(ledger: Path) -> dict[str, int]:
    """Run id -> its last record's ``seq`` in the ledger at ``ledger``: the order of appending,
    by which the register tells apart runs that finished in one second (``recency``)."""
    out: dict[str, int] = {}
    for record in _records(ledger):
        out[record.run_id] = max(out.get(record.run_id, -1), record.seq)
    return out


def note_ledger_hashes(run: RunLog, hashes: dict[str, dict[str, str]]) -> RunLog:
    """``run``, told the hashes its evidence in the ledger holds (``RunLog.ledger_hashes``), so
    its ``summary_changed`` and ``results_changed`` refuse a file edited with its manifest's
    hash rewritten to match, as ``evidence verify`` does."""
    run.ledger_hashes = hashes.get(run.run_id) or None
    return run
