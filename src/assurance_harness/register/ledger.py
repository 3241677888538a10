"""The evidence ledger: an append-only, hash-chained JSONL file of gate results per risk.

Each record holds the SHA-256 of its own canonical JSON and of the record before it, so an
edited, deleted, inserted or reordered line breaks the chain at a place ``verify_ledger`` can
name. A small anchor file beside the ledger (``ledger.jsonl.head``) keeps the head hash and
sequence number, so removing the *last* records is caught too; copy the anchor somewhere the
ledger's writers cannot reach (a CI artefact, a signed commit) and pass it with ``--anchor`` to
guard against someone who rewrites both.

Appends take an exclusive ``fcntl.flock`` on ``ledger.jsonl.lock``, read the tail hash under the
lock and write all new lines in one ``write`` on an ``O_APPEND`` descriptor followed by
``fsync``, so two runs finishing at once interleave whole records and never fork the chain.
(POSIX only: ``fcntl`` is not available on Windows.)

The ledger is four modules, re-exported here (import from here): ``evidence_record`` (the
record and its canonical JSON), ``ledger_store`` (reading, locking, appending, the anchor),
``evidence_map`` (which records a run gives) and ``ledger_verify`` (tamper verification). They
import only the standard library (the runner imports the ledger after every run).
"""

from __future__ import annotations

from .evidence_map import (
    ExploratoryRunError,
    _gate_fields,
    _metric_for_gate,
    _record_bodies,
    _risk_ids,
    attach_run,
)
from .evidence_record import (
    FORMAT,
    GENESIS,
    EvidenceError,
    EvidenceRecord,
    canonical_json,
    parse_record_line,
    parse_time,
    record_hash,
)
from .ledger_store import (
    DEFAULT_LEDGER,
    _locked,
    _utc_now,
    _write_anchor,
    anchor_path,
    append_bodies,
    append_records,
    iter_lines,
    read_ledger,
    repair_anchor,
    run_records,
)
from .ledger_verify import LedgerIssue, VerifyReport, verify_ledger
from .runfiles import HASHED_FILES, RunFiles, sha256_file

__all__ = [
    "DEFAULT_LEDGER",
    "FORMAT",
    "GENESIS",
    "HASHED_FILES",
    "EvidenceError",
    "EvidenceRecord",
    "ExploratoryRunError",
    "LedgerIssue",
    "RunFiles",
    "VerifyReport",
    "_gate_fields",
    "_locked",
    "_metric_for_gate",
    "_record_bodies",
    "_risk_ids",
    "_utc_now",
    "_write_anchor",
    "anchor_path",
    "append_bodies",
    "append_records",
    "attach_run",
    "canonical_json",
    "iter_lines",
    "parse_record_line",
    "parse_time",
    "read_ledger",
    "record_hash",
    "repair_anchor",
    "run_records",
    "sha256_file",
    "verify_ledger",
]
