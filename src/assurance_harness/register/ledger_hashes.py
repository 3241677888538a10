"""The SHA-256 the evidence ledger's records hold for each run's files, read for a view: the
annex checks each run file against them beside the run's own manifest.json, which whoever
edits the files can rewrite too (``evidence verify`` re-hashes the same files;
``ledger_verify``)."""

from __future__ import annotations

from ..privacy.retention import RETENTION
from .evidence_record import EvidenceRecord


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
