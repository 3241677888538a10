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

This module imports only the standard library (the runner imports it after every run).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import HarnessError
from .runfiles import HASHED_FILES, RunFiles, sha256_file

DEFAULT_LEDGER = Path("reports/evidence/ledger.jsonl")
GENESIS = "0" * 64
"""``prev_hash`` of the first record."""
FORMAT = 1

__all__ = [
    "DEFAULT_LEDGER",
    "GENESIS",
    "EvidenceError",
    "EvidenceRecord",
    "LedgerIssue",
    "VerifyReport",
    "anchor_path",
    "append_records",
    "attach_run",
    "canonical_json",
    "read_ledger",
    "verify_ledger",
]


class EvidenceError(HarnessError):
    """The ledger or a run's files are not trustworthy (exit 1, like a failed gate)."""

    exit_code = 1


def canonical_json(data: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def record_hash(body: dict[str, Any]) -> str:
    """SHA-256 of a record without its ``hash`` field."""
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def parse_time(text: str | None) -> dt.datetime | None:
    """ISO 8601 with or without zone (naive times are taken as UTC)."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


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
    """id, metric, max, min, bound, checked, failing_groups, worst_cases (``case_id#sample``)."""
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
        data = asdict(self)
        if data["review"] is None:
            del data["review"]
        return data

    @property
    def is_review(self) -> bool:
        return self.review is not None

    def to_line(self) -> str:
        return canonical_json(self.to_dict()) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvidenceRecord:
        """Build a record; TypeError when a field is missing, unknown or of the wrong type (a
        hand edit), so readers report the line instead of failing later."""
        record = cls(**data)
        for name, kind in _FIELD_TYPES.items():
            value = getattr(record, name)
            if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
                raise TypeError(f"field '{name}' has the wrong type")
        return record

    @property
    def gate_id(self) -> str:
        return str((self.gate or {}).get("id") or "(no gate)")

    @property
    def gate_label(self) -> str:
        """The gate id, with the groups that failed it when it is checked per group."""
        groups = (self.gate or {}).get("failing_groups") or []
        if groups:
            return f"{self.gate_id} (failing groups: {', '.join(map(str, groups))})"
        return self.gate_id

    @property
    def suite_name(self) -> str:
        return str(self.suite.get("name") or "?")

    @property
    def evidence_time(self) -> dt.datetime:
        """When the tested behaviour was observed: the run's end, else when it was recorded."""
        return (
            parse_time(self.run.get("finished_at"))
            or parse_time(self.recorded_at)
            or dt.datetime.fromtimestamp(0, dt.UTC)
        )

    def run_dir(self, ledger_path: Path) -> Path:
        return (ledger_path.parent / str(self.run.get("dir", ""))).resolve()

    def results_file(self, ledger_path: Path) -> Path:
        return (ledger_path.parent / str(self.run.get("results_path", ""))).resolve()


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


def anchor_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(ledger_path.name + ".head")


def _lock_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(ledger_path.name + ".lock")


@contextmanager
def _locked(ledger_path: Path) -> Iterator[None]:
    ledger_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(_lock_path(ledger_path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _parse_lines(ledger_path: Path) -> Iterator[tuple[int, str, dict[str, Any] | None]]:
    if not ledger_path.exists():
        return
    with ledger_path.open(encoding="utf-8", newline="\n") as handle:
        for lineno, line in enumerate(handle, start=1):
            raw = line.rstrip("\n")
            if not raw.strip():
                yield lineno, raw, None
                continue
            try:
                data = json.loads(raw)
            except ValueError:
                yield lineno, raw, None
                continue
            yield lineno, raw, data if isinstance(data, dict) else None


def read_ledger(
    ledger_path: Path = DEFAULT_LEDGER, *, strict: bool = True, reviews: bool = False
) -> list[EvidenceRecord]:
    """All gate records, in file order (with ``reviews=True``, review records too). An
    unreadable line is an EvidenceError naming it, or, with ``strict=False`` (views), skipped:
    ``verify_ledger`` reports it.

    This does not check the chain (``verify_ledger`` does); views call both.
    """
    records = []
    for lineno, _raw, data in _parse_lines(Path(ledger_path)):
        try:
            if data is None:
                raise TypeError("not a JSON object")
            record = EvidenceRecord.from_dict(data)
        except TypeError:
            if not strict:
                continue
            raise EvidenceError(
                f"{ledger_path}:{lineno}: not a valid evidence record; "
                "run 'assurance evidence verify' to see what was changed"
            ) from None
        if reviews or not record.is_review:
            records.append(record)
    return records


def _relpath(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def _metric_for_gate(run: RunFiles, gate: dict[str, Any]) -> dict[str, Any] | None:
    metric = run.metrics.get(str(gate.get("metric")))
    source = metric or gate
    keys = ("value", "ci_low", "ci_high", "n")
    if not any(k in source for k in keys):
        return None
    out = {k: source.get(k) for k in keys}
    out["confidence"] = (metric or {}).get("confidence", 0.95)
    out["method"] = (metric or {}).get("method")
    out["kind"] = (metric or {}).get("kind")
    # The gate's own figures win: they are what the verdict was computed on.
    for k in keys:
        if gate.get(k) is not None:
            out[k] = gate[k]
    return out


def _gate_fields(gate: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "metric", "max", "min", "bound", "checked", "failing_groups", "worst_cases")
    return {k: gate.get(k) for k in keys}


def _risk_ids(run: RunFiles, register_path: Path | None) -> list[str]:
    ids = [str(r) for r in run.suite.get("evidence_for") or []]
    if register_path is not None and Path(register_path).exists():
        # Imported here so that the runner's import of this module stays light.
        from .loader import load_register

        loaded = load_register(register_path)
        ids += [r.id for r in loaded.register.risks_for_suite(str(run.suite.get("name")))]
    return sorted(dict.fromkeys(ids))


def _record_bodies(run: RunFiles, risk_ids: list[str], ledger_path: Path) -> list[dict[str, Any]]:
    files = {}
    for name in HASHED_FILES:
        path = run.dir / name if name != "results.jsonl" else run.results_path
        if not path.exists():
            raise EvidenceError(f"{path}: missing; a finished run has {', '.join(HASHED_FILES)}")
        files[name] = sha256_file(path)
    recorded = (run.manifest.get("results") or {}).get("sha256")
    if recorded and recorded != files["results.jsonl"]:
        raise EvidenceError(
            f"{run.results_path}: does not match the SHA-256 in its manifest.json; the results "
            "changed after the run and cannot be attached as evidence"
        )
    suite = run.suite
    target = run.target
    run_info = {
        "status": run.summary.get("status"),
        "started_at": run.summary.get("started_at"),
        "finished_at": run.summary.get("finished_at"),
        "dir": _relpath(run.dir, ledger_path.parent),
        "results_path": _relpath(run.results_path, ledger_path.parent),
        "results_sha256": files["results.jsonl"],
        "files": files,
        "command": run.manifest.get("command"),
    }
    suite_info = {k: suite.get(k) for k in ("name", "version", "sha256", "path")}
    target_info = {k: target.get(k) for k in ("name", "type", "fingerprint", "model_version")}
    gates = run.gates
    bodies = []
    for risk_id in risk_ids:
        if not gates:
            bodies.append(
                {
                    "risk_id": risk_id,
                    "run_id": run.run_id,
                    "verdict": "no_gate",
                    "suite": suite_info,
                    "target": target_info,
                    "gate": None,
                    "metric": None,
                    "run": run_info,
                }
            )
        for gate in gates:
            bodies.append(
                {
                    "risk_id": risk_id,
                    "run_id": run.run_id,
                    "verdict": str(gate.get("verdict") or "no_data"),
                    "suite": suite_info,
                    "target": target_info,
                    "gate": _gate_fields(gate),
                    "metric": _metric_for_gate(run, gate),
                    "run": run_info,
                }
            )
    return bodies


def _write_anchor(ledger_path: Path, last: EvidenceRecord) -> None:
    path = anchor_path(ledger_path)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    data = {"seq": last.seq, "id": last.id, "hash": last.hash, "updated_at": _utc_now()}
    tmp.write_text(canonical_json(data) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _tail_and_run_records(
    ledger_path: Path, run_ids: set[str]
) -> tuple[EvidenceRecord | None, list[EvidenceRecord]]:
    """The last record, and the records of these runs (for idempotent attach), without parsing
    every line: canonical JSON writes ``"run_id":"<id>"`` exactly, so a substring test finds the
    candidates (a record's own string values escape their quotes, so they cannot match)."""
    if not ledger_path.exists():
        return None, []
    needles = [canonical_json({"run_id": run_id})[1:-1] for run_id in run_ids]
    last: tuple[int, str] | None = None
    found: list[EvidenceRecord] = []
    with ledger_path.open(encoding="utf-8", newline="\n") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            last = (lineno, line)
            if any(needle in line for needle in needles):
                record = _parse_record(ledger_path, lineno, line)
                if record.run_id in run_ids:
                    found.append(record)
    if last is None:
        return None, found
    return _parse_record(ledger_path, *last), found


def _parse_record(ledger_path: Path, lineno: int, line: str) -> EvidenceRecord:
    try:
        data = json.loads(line)
        if not isinstance(data, dict):
            raise TypeError("not an object")
        return EvidenceRecord.from_dict(data)
    except (ValueError, TypeError):
        raise EvidenceError(
            f"{ledger_path}:{lineno}: not a valid evidence record; nothing can be chained to it. "
            "Run 'assurance evidence verify' to see what was changed"
        ) from None


def _append(
    ledger_path: Path, bodies: list[dict[str, Any]], *, dedupe: bool = True
) -> list[EvidenceRecord]:
    """Chain and append ``bodies`` under the lock, skipping any (run, risk, gate) already there
    (``dedupe=False`` for review records: each adjudication is a record of its own)."""
    with _locked(ledger_path):
        run_ids = {str(body["run_id"]) for body in bodies}
        tail, existing = _tail_and_run_records(ledger_path, run_ids)
        seen = {(r.run_id, r.risk_id, r.gate_id) for r in existing if not r.is_review}
        prev_hash = tail.hash if tail else GENESIS
        seq = tail.seq if tail else 0
        now = _utc_now()
        new: list[EvidenceRecord] = []
        for body in bodies:
            gate_id = str((body["gate"] or {}).get("id") or "(no gate)")
            key = (body["run_id"], body["risk_id"], gate_id)
            if dedupe and key in seen:
                continue
            seen.add(key)
            seq += 1
            full = {
                "seq": seq,
                "id": f"EV-{seq:06d}",
                "recorded_at": now,
                "prev_hash": prev_hash,
                "format": FORMAT,
                **body,
            }
            digest = record_hash(full)
            record = EvidenceRecord.from_dict({**full, "hash": digest})
            new.append(record)
            prev_hash = digest
        if not new:
            return []
        payload = "".join(r.to_line() for r in new).encode("utf-8")
        fd = os.open(ledger_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(fd, payload)
            if written != len(payload):  # pragma: no cover - only on a full disk
                raise EvidenceError(
                    f"{ledger_path}: short write ({written} of {len(payload)} bytes)"
                )
            os.fsync(fd)
        finally:
            os.close(fd)
        _write_anchor(ledger_path, new[-1])
        return new


def attach_run(
    run_dir: Path,
    *,
    register_path: Path | None = None,
    ledger_path: Path = DEFAULT_LEDGER,
) -> list[EvidenceRecord]:
    """Append one record per (risk, gate) of a finished run; return the records appended.

    Risks are the suite's ``evidence_for`` plus, when ``register_path`` exists, the register's
    risks that list the suite. Attaching the same run again appends nothing (idempotent), and a
    run that failed as a whole (``status: run_failed``) is not evidence, so nothing is appended.
    Raises EvidenceError when the run's results no longer match its manifest.
    """
    ledger_path = Path(ledger_path)
    run = RunFiles.load(Path(run_dir))
    if run.summary.get("status") == "run_failed":
        return []
    risk_ids = _risk_ids(run, Path(register_path) if register_path else None)
    if not risk_ids:
        return []
    return _append(ledger_path, _record_bodies(run, risk_ids, ledger_path))


def append_records(ledger_path: Path, bodies: list[dict[str, Any]]) -> list[EvidenceRecord]:
    """Chain and append records as given (review records: ``review.records``; purge records:
    ``privacy.retention``)."""
    return _append(Path(ledger_path), bodies, dedupe=False)


# ---------------------------------------------------------------------------------------------
# Verification


@dataclass
class LedgerIssue:
    """One integrity problem, located by line and record id."""

    kind: str
    """corrupt, edited, replaced, deleted, inserted, reordered, sequence, truncated, anchor,
    file_changed, file_missing."""
    message: str
    line: int | None = None
    record_id: str | None = None

    def location(self, ledger_path: Path) -> str:
        where = f"{ledger_path}:{self.line}" if self.line else str(ledger_path)
        return f"{where} ({self.record_id})" if self.record_id else where

    def format(self, ledger_path: Path) -> str:
        return f"{self.location(ledger_path)}: {self.kind}: {self.message}"


@dataclass
class VerifyReport:
    ledger: Path
    records: int = 0
    head: str | None = None
    runs_checked: int = 0
    files_checked: int = 0
    issues: list[LedgerIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    purged: list[str] = field(default_factory=list)
    """Runs whose payload files were deleted under the retention policy (a purge record in the
    chain holds the hashes they had, and they match the evidence's)."""

    @property
    def ok(self) -> bool:
        return not self.issues

    def kinds(self) -> set[str]:
        return {i.kind for i in self.issues}

    def to_dict(self) -> dict[str, object]:
        """The JSON view printed by ``assurance evidence verify --format json``."""
        return {
            "ledger": str(self.ledger),
            "ok": self.ok,
            "records": self.records,
            "head": self.head,
            "runs_checked": self.runs_checked,
            "files_checked": self.files_checked,
            "issues": [
                {"kind": i.kind, "line": i.line, "record": i.record_id, "message": i.message}
                for i in self.issues
            ],
            "warnings": self.warnings,
            "purged": self.purged,
        }


def _short(digest: str | None) -> str:
    return (digest or "?")[:12]


def _check_chain(
    entries: list[tuple[int, EvidenceRecord]], report: VerifyReport, unreadable: list[int]
) -> None:
    line_of_hash = {rec.hash: lineno for lineno, rec in entries}
    prev: tuple[int, EvidenceRecord] | None = None
    prev_prev: tuple[int, EvidenceRecord] | None = None
    prev_link_ok = True
    for lineno, rec in entries:
        if record_hash(rec.body()) != rec.hash:
            report.issues.append(
                LedgerIssue(
                    "edited",
                    "the record's content does not match its hash: "
                    "it was changed after it was written",
                    lineno,
                    rec.id,
                )
            )
        expected_prev = prev[1].hash if prev else GENESIS
        link_ok = rec.prev_hash == expected_prev
        after = prev[0] if prev else 0
        skipped = [n for n in unreadable if after < n < lineno]
        if not link_ok and skipped:
            # The record it links to is most likely the unreadable line just before it.
            report.issues.append(
                LedgerIssue(
                    "corrupt",
                    f"links to a record that cannot be read (line {skipped[-1]})",
                    lineno,
                    rec.id,
                )
            )
        elif not link_ok:
            report.issues.append(
                _classify_break(lineno, rec, prev, prev_prev, prev_link_ok, line_of_hash)
            )
        elif prev is not None and rec.seq != prev[1].seq + 1:
            report.issues.append(
                LedgerIssue("sequence", f"seq {rec.seq} follows seq {prev[1].seq}", lineno, rec.id)
            )
        elif prev is None and rec.seq != 1:
            report.issues.append(
                LedgerIssue("sequence", f"the first record has seq {rec.seq}", lineno, rec.id)
            )
        prev_prev, prev, prev_link_ok = prev, (lineno, rec), link_ok


def _classify_break(
    lineno: int,
    rec: EvidenceRecord,
    prev: tuple[int, EvidenceRecord] | None,
    prev_prev: tuple[int, EvidenceRecord] | None,
    prev_link_ok: bool,
    line_of_hash: dict[str, int],
) -> LedgerIssue:
    """Say what most plausibly happened where ``rec`` does not link to the line before it."""
    expected_prev_prev = prev_prev[1].hash if prev_prev else GENESIS
    if prev is not None and prev_link_ok and rec.prev_hash == expected_prev_prev:
        # The line before links correctly to its predecessor, but this record skips it: that
        # line was slipped in between two records that were adjacent when written.
        pline, prec = prev
        before = "the start of the ledger"
        if prev_prev is not None:
            before = f"line {prev_prev[0]} ({prev_prev[1].id})"
        return LedgerIssue(
            "inserted",
            f"this record is not part of the chain: line {lineno} ({rec.id}) links past it to "
            + before,
            pline,
            prec.id,
        )
    if rec.prev_hash == GENESIS:
        return LedgerIssue(
            "reordered", "this is the ledger's first record but it is not on line 1", lineno, rec.id
        )
    if rec.prev_hash in line_of_hash:
        target = line_of_hash[rec.prev_hash]
        if target > lineno:
            return LedgerIssue(
                "reordered",
                f"this record was written after line {target}, but appears before it",
                lineno,
                rec.id,
            )
        return LedgerIssue(
            "reordered",
            f"this record was written right after line {target}, but line {lineno - 1} now "
            "stands between them (moved or inserted lines)",
            lineno,
            rec.id,
        )
    prev_seq = prev[1].seq if prev else 0
    if rec.seq > prev_seq + 1:
        missing = (
            f"seq {prev_seq + 1}"
            if rec.seq == prev_seq + 2
            else f"seq {prev_seq + 1}-{rec.seq - 1}"
        )
        return LedgerIssue(
            "deleted",
            f"{rec.seq - prev_seq - 1} record(s) before this one are missing ({missing}; "
            f"ids EV-{prev_seq + 1:06d}...)",
            lineno,
            rec.id,
        )
    if prev is not None:
        return LedgerIssue(
            "replaced",
            f"line {prev[0]} ({prev[1].id}) is not the record this one was chained to: it was "
            f"edited and re-hashed, or replaced (expected hash {_short(rec.prev_hash)}, "
            f"found {_short(prev[1].hash)})",
            prev[0],
            prev[1].id,
        )
    return LedgerIssue("replaced", "the chain does not start at the genesis hash", lineno, rec.id)


def _check_anchor(
    entries: list[tuple[int, EvidenceRecord]],
    anchor_file: Path,
    report: VerifyReport,
    *,
    exact: bool,
) -> None:
    try:
        anchor = json.loads(anchor_file.read_text(encoding="utf-8"))
        seq, digest = int(anchor["seq"]), str(anchor["hash"])
    except (OSError, ValueError, KeyError, TypeError):
        report.issues.append(LedgerIssue("anchor", f"{anchor_file}: unreadable anchor file"))
        return
    by_seq = {rec.seq: (lineno, rec) for lineno, rec in entries}
    last_seq = entries[-1][1].seq if entries else 0
    if seq > last_seq:
        report.issues.append(
            LedgerIssue(
                "truncated",
                f"the anchor {anchor_file.name} records {seq} records (head {_short(digest)}), but "
                f"the ledger ends at seq {last_seq}: "
                f"EV-{last_seq + 1:06d}..EV-{seq:06d} were removed",
                entries[-1][0] if entries else None,
                entries[-1][1].id if entries else None,
            )
        )
        return
    found = by_seq.get(seq)
    if found is None or found[1].hash != digest:
        report.issues.append(
            LedgerIssue(
                "anchor",
                f"record seq {seq} does not have the head hash {_short(digest)} kept in "
                f"{anchor_file.name}: the ledger was rewritten",
                found[0] if found else None,
                found[1].id if found else None,
            )
        )
        return
    if exact and seq < last_seq:
        report.issues.append(
            LedgerIssue(
                "anchor",
                f"records after seq {seq} are not covered by {anchor_file.name}: "
                "they were appended without the evidence tools",
                entries[-1][0],
                entries[-1][1].id,
            )
        )


def _check_files(
    entries: list[tuple[int, EvidenceRecord]], ledger_path: Path, report: VerifyReport
) -> None:
    """Re-hash every run file a record points to; report each changed file once."""
    from ..privacy.retention import purged_files_by_run

    actual: dict[Path, str | None] = {}
    problems: dict[tuple[Path, str], list[tuple[int, EvidenceRecord, str]]] = {}
    runs: set[Path] = set()
    purged = purged_files_by_run([rec for _, rec in entries])
    purged_seen: set[str] = set()
    for lineno, rec in entries:
        run_dir = rec.run_dir(ledger_path)
        runs.add(run_dir)
        files = dict(rec.run.get("files") or {})
        for name, expected in files.items():
            path = rec.results_file(ledger_path) if name == "results.jsonl" else run_dir / name
            if path not in actual:
                actual[path] = sha256_file(path) if path.exists() else None
                report.files_checked += 1
            now = actual[path]
            if now is None and purged.get(rec.run_id, {}).get(name) == expected:
                purged_seen.add(rec.run_id)  # deleted by a recorded purge, as it was then
            elif now is None:
                problems.setdefault((path, "file_missing"), []).append((lineno, rec, expected))
            elif now != expected:
                problems.setdefault((path, "file_changed"), []).append((lineno, rec, expected))
    report.runs_checked = len(runs)
    report.purged = sorted(purged_seen | (set(purged) & {rec.run_id for _, rec in entries}))
    for (path, kind), hits in problems.items():
        lineno, rec, expected = hits[0]
        ids = ", ".join(r.id for _, r, _ in hits[:5]) + (" ..." if len(hits) > 5 else "")
        if kind == "file_missing":
            message = f"{path} is missing (evidence {ids})"
        else:
            message = (
                f"{path} changed since the evidence was recorded (sha256 recorded "
                f"{_short(expected)}, now {_short(actual[path])}; evidence {ids})"
            )
        report.issues.append(LedgerIssue(kind, message, lineno, rec.id))


def verify_ledger(
    ledger_path: Path = DEFAULT_LEDGER,
    *,
    check_files: bool = True,
    anchor: Path | None = None,
) -> VerifyReport:
    """Check the chain, the anchor(s) and (optionally) the run files; never raises on tampering.

    ``anchor`` is an external copy of a past ``.head`` file: the ledger must still contain that
    record with that hash (records appended since are fine).
    """
    ledger_path = Path(ledger_path)
    report = VerifyReport(ledger=ledger_path)
    entries: list[tuple[int, EvidenceRecord]] = []
    for lineno, raw, data in _parse_lines(ledger_path):
        record = None
        if data is not None:
            try:
                record = EvidenceRecord.from_dict(data)
            except TypeError:
                record = None
        if record is None:
            what = "an empty line" if not raw.strip() else "not a valid evidence record"
            report.issues.append(
                LedgerIssue("corrupt", f"{what} (a torn write or a hand edit)", lineno)
            )
            continue
        entries.append((lineno, record))
    report.records = len(entries)
    report.head = entries[-1][1].hash if entries else None
    unreadable = [i.line for i in report.issues if i.kind == "corrupt" and i.line is not None]
    _check_chain(entries, report, unreadable)
    local_anchor = anchor_path(ledger_path)
    if local_anchor.exists():
        _check_anchor(entries, local_anchor, report, exact=True)
    elif entries:
        report.warnings.append(
            f"no anchor file ({local_anchor.name}): removal of the last records cannot be detected"
        )
    if anchor is not None:
        _check_anchor(entries, Path(anchor), report, exact=False)
    if check_files:
        _check_files(entries, ledger_path, report)
    return report
