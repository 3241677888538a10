"""An evidence record: one gate result of one run, as evidence for one risk.

The record's fields, its canonical JSON (the one serialisation that is hashed) and the one
parser of a ledger line. Standard library only: the runner imports the ledger after every run.
Records written by earlier versions must keep verifying, so nothing here may change how an
existing record serialises (``tests/register/test_ledger_golden.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ..errors import ExitCode, HarnessError
from ..formatting import failing_groups_text

GENESIS = "0" * 64
"""``prev_hash`` of the first record."""
FORMAT = 1


class EvidenceError(HarnessError):
    """The ledger or a run's files are not trustworthy (exit 1, like a failed gate)."""

    exit_code = 1


class RunFilesChanged(EvidenceError):
    """A run's summary.json or results.jsonl is not the file the run wrote (unlike its
    manifest's or its ledger records' SHA-256; or purged under the retention policy), met by
    a command that needed the run as input (``review adjudicate``): exit 3, as ``review
    status``, ``compare`` and ``baseline check`` refuse a changed run and ``evidence
    attach`` and ``baseline set`` a purged one. Exit 1 reads to CI as a failed gate; none was
    judged. Still an EvidenceError: the web app answers it 409, as any refusal of a run's
    changed files."""

    exit_code = ExitCode.RUN_FAILED


def canonical_json(data: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def record_hash(body: dict[str, Any]) -> str:
    """SHA-256 of a record without its ``hash`` field."""
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def recency(
    finished_at: str | None, recorded_at: str | None, position: int
) -> tuple[dt.datetime, int]:
    """Where a run stands in time, the key by which the register takes a suite's latest run
    (``status``) and a trend orders its points: when it finished (else when its evidence was
    recorded), then its ``position`` in the ledger (its last record's ``seq``: the order of
    appending, which no clock sets; -1 for a run the ledger holds nothing of). Never the run
    id, whose hex suffix is random: two runs that finished in one second would read in a
    different order in each view."""
    observed = parse_time(finished_at) or parse_time(recorded_at)
    return observed or dt.datetime.fromtimestamp(0, dt.UTC), position


def parse_time(text: str | None) -> dt.datetime | None:
    """ISO 8601 with or without zone (naive times are taken as UTC). A time whose UTC
    falls outside Python's calendar (``9999-12-31T23:59:59-14:00``) is no time, as text that
    does not parse is: every view converts to UTC, and the overflow ended ``register status``
    in a traceback for good, since a ledger's records cannot be removed."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        value.astimezone(dt.UTC)  # raises OverflowError for a time outside the calendar
    except (ValueError, OverflowError):
        return None
    return value


@dataclass(frozen=True)
class EvidenceRecord:
    """One gate result of one run, as evidence for one risk."""

    seq: int
    """Position in the chain, from 1; a gap means records were deleted."""
    id: str
    """``EV-000001``: how verify and the views name the record."""
    recorded_at: str
    """When the record was appended (UTC)."""
    risk_id: str
    run_id: str
    verdict: str
    """The gate's verdict: ``pass``, ``fail``, ``no_data``; ``no_gate`` when the suite has none."""
    suite: dict[str, Any]
    """name, version, sha256, path."""
    target: dict[str, Any]
    """name, type, fingerprint, model_version (the string the endpoint reported)."""
    gate: dict[str, Any] | None
    """id, metric, max, min, bound, checked, failing_groups, worst_cases (``case_id#sample``);
    groups_without_data where some failing groups had no figure on the bound."""
    metric: dict[str, Any] | None
    """value, ci_low, ci_high, confidence, n, method of the gated metric."""
    run: dict[str, Any]
    """status, started_at, finished_at, dir (relative to the ledger's folder), results_path,
    results_sha256, files ({name: sha256} of results.jsonl, summary.json, manifest.json)."""
    prev_hash: str
    hash: str
    format: int = FORMAT
    review: dict[str, Any] | None = None
    """Only on review records (a person's verdict on one row; ``verdict`` is ``review``):
    row, reviewer, decision, label, scorer_label, note, reasons, supersedes. Absent from
    gate records, so their canonical JSON and hashes are unchanged."""

    def body(self) -> dict[str, Any]:
        data = self.to_dict()
        data.pop("hash")
        return data

    def to_dict(self) -> dict[str, Any]:
        """The record as a dict of its own: nested values are copies, free to change."""
        data = asdict(self)
        if data["review"] is None:
            del data["review"]
        return data

    def _as_is(self) -> dict[str, Any]:
        """The keys and values of :meth:`to_dict`, the values not copied: for serialising the
        record, which changes nothing. ``asdict`` deep-copies every nested dict and list, and
        ``evidence verify`` did so twice per record (its line's bytes, then its hash): two
        thirds of its time on a ledger of 2,000 records. The same keys and values, so the same
        canonical JSON, byte for byte (``tests/register/test_ledger_verify_copies.py``)."""
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        if data["review"] is None:
            del data["review"]
        return data

    def content_hash(self) -> str:
        """The hash of the record's content (``record_hash`` of :meth:`body`), to check against
        its ``hash``, without copying it."""
        data = self._as_is()
        del data["hash"]
        return record_hash(data)

    @property
    def is_review(self) -> bool:
        return self.review is not None

    def to_line(self) -> str:
        return canonical_json(self._as_is()) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvidenceRecord:
        """Build a record; TypeError when a field is missing, unknown or of the wrong type (a
        hand edit), so readers report the line instead of failing later."""
        record = cls(**data)
        for name, kind in _FIELD_TYPES.items():
            value = getattr(record, name)
            if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
                raise TypeError(f"field '{name}' has the wrong type")
        _check_nested(record)
        return record

    @property
    def gate_id(self) -> str:
        return str((self.gate or {}).get("id") or "(no gate)")

    @property
    def gate_label(self) -> str:
        """The gate id, with the groups that failed it when it is checked per group: those
        whose figure broke the limit, then those without a figure on its bound (too few cases
        for an interval), which are not evidence of the failure the limit describes."""
        groups = failing_groups_text(self.gate)
        if not groups:
            return self.gate_id
        if groups.startswith("without a figure"):
            return f"{self.gate_id} ({groups})"
        return f"{self.gate_id} (failing groups: {groups})"

    @property
    def suite_name(self) -> str:
        return str(self.suite.get("name") or "?")

    @property
    def evidence_time(self) -> dt.datetime:
        """When the tested behaviour was observed: the run's end, else when it was recorded."""
        return recency(self.run.get("finished_at"), self.recorded_at, self.seq)[0]

    def run_dir(self, ledger_path: Path) -> Path:
        return _resolved(ledger_path.parent / str(self.run.get("dir", "")))

    def results_file(self, ledger_path: Path) -> Path:
        return _resolved(ledger_path.parent / str(self.run.get("results_path", "")))


_FIELD_NAMES = tuple(field.name for field in fields(EvidenceRecord))


def _resolved(path: Path) -> Path:
    """``path`` resolved; where a link leads back to itself (RuntimeError before Python 3.13,
    OSError after) it is left as written, and the files under it read as missing."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return Path(os.path.abspath(path))


_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "seq": int,
    "id": str,
    "recorded_at": str,
    "risk_id": str,
    "run_id": str,
    "verdict": str,
    "suite": dict,
    "target": dict,
    "gate": (dict, type(None)),
    "metric": (dict, type(None)),
    "run": dict,
    "prev_hash": str,
    "hash": str,
    "format": int,
    "review": (dict, type(None)),
}


def _check_nested(record: EvidenceRecord) -> None:
    """``run.files`` is a mapping of names to hashes, as every writer gives it: ``evidence
    verify`` re-hashes from it, and a record re-chained after an edit (its hashes recomputed)
    is otherwise valid. Figures are not checked: a metric plugin may write one that is not a
    number, and attach records it as it is."""
    files = record.run.get("files")
    if files is not None and not (
        isinstance(files, dict) and all(isinstance(v, str) for v in files.values())
    ):
        raise TypeError("field 'run.files' has the wrong type")


def parse_record_line(line: str) -> EvidenceRecord | None:
    """The one parser of a ledger line: the record, or None when the line is blank, not JSON
    (or nested too deep to parse), not an object, or not a valid record (a torn write or a
    hand edit)."""
    if not line.strip():
        return None
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: nested too deep
        return None
    if not isinstance(data, dict):
        return None
    try:
        return EvidenceRecord.from_dict(data)
    except TypeError:
        return None
