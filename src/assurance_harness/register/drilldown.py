"""From a risk to its runs to the very responses that were scored: what ``register show`` prints.

Worst cases are the ``case_id#sample`` keys a failing gate recorded; their rows are read back
from the run's results.jsonl, which ``evidence verify`` checks against the hash in the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..formatting import no_case_text, row_incomplete
from ..privacy.retention import PurgedFile
from ..store.runread import numbered_jsonl, row_key
from .identity import identity_label
from .ledger import EvidenceRecord
from .purges import ledger_purges
from .runfiles import sha256_file
from .status import RegisterStatus, RiskStatus


@dataclass
class CaseRow:
    key: str
    """``case_id#sample``."""
    prompt: str | None
    response: str | None
    error: Any
    scores: dict[str, Any]
    line: int | None
    """1-based line in results.jsonl."""
    incomplete: str | None = None
    """``not complete (length): ...`` where the endpoint cut the answer off
    (``formatting.row_incomplete``): every view of it says so beside the text."""


@dataclass
class RunDetail:
    run_id: str
    suite: str
    records: list[EvidenceRecord]
    results_path: Path
    results_ok: bool | None
    """The results file still has the hash the evidence recorded (None: file gone)."""
    gone: str | None = None
    """Where the results file is gone, why: purged under the retention policy (when, as the
    ledger's purge record says; ``PurgedFile.note``), or "missing" where no purge recorded
    deleting it, a loss. None where the file is there."""
    purged: PurgedFile | None = None
    """The ledger's record of the purge that deleted the results file, where one did."""
    worst: list[CaseRow] = field(default_factory=list)
    no_case: list[tuple[str, str]] = field(default_factory=list)
    """``(gate id, why)`` for each failed gate that names no worst case because no row of its
    failing groups pushed it toward failing (``formatting.no_case_text``): every view says so
    where its cases would be, which showed nothing, as if the evidence were missing."""
    target: str = ""
    """The run's target identity (``identity.identity_label``)."""
    counted: bool = True
    """False for a run against another target (recorded with ``--evidence-for``): shown,
    not counted in the status."""

    def results_note(self, matches: str) -> str:
        """The results file's state as ``register show`` writes it: ``matches`` (the view's
        words for the hash the evidence recorded), CHANGED since recorded, or why it is gone
        (``gone``)."""
        if self.results_ok is None:
            return self.gone or "missing"
        return matches if self.results_ok else "CHANGED since recorded"


@dataclass
class RiskDetail:
    status: RiskStatus
    runs: list[RunDetail]


def worst_rows(results: Path, keys: list[str]) -> list[CaseRow]:
    """The rows ``keys`` name, with their lines: a stream (results files can hold 100,000
    rows), and a line that cannot be read (not UTF-8, torn, nested too deep) is passed over,
    as ``report`` does."""
    if not keys or not results.is_file():
        return []
    wanted = set(keys)
    found: dict[str, CaseRow] = {}
    for lineno, row in numbered_jsonl(results):
        if row is None:
            continue
        key = row_key(row)
        if key in wanted:
            found[key] = CaseRow(
                key=key,
                prompt=row.get("prompt"),
                response=row.get("response"),
                error=row.get("error"),
                scores=dict(row.get("scores") or {}),
                line=lineno,
                incomplete=row_incomplete(row),
            )
    return [found[k] for k in keys if k in found]


def risk_detail(
    status: RegisterStatus, risk_id: str, *, limit_runs: int = 10, limit_cases: int = 5
) -> RiskDetail | None:
    """The evidence behind one risk: its runs (newest first), gates, and worst cases."""
    risk = status.get(risk_id)
    if risk is None:
        return None
    runs: list[RunDetail] = []
    for suite in risk.suites:
        for records in suite.history[:limit_runs]:
            runs.append(_run_detail(status, suite.suite, records, limit_cases, counted=True))
    for other in risk.elsewhere:
        for records in other.runs[:limit_runs]:
            runs.append(
                _run_detail(status, records[0].suite_name, records, limit_cases, counted=False)
            )
    if any(run.results_ok is None for run in runs):  # the ledger read again only then
        purges = ledger_purges(status.ledger_path)
        for run in runs:
            if run.results_ok is None:
                run.purged = purges.get(run.run_id, {}).get(run.results_path.name)
                run.gone = _gone(run, run.purged)
    return RiskDetail(status=risk, runs=runs)


def _gone(run: RunDetail, purged: PurgedFile | None) -> str:
    """``RunDetail.gone``: purged (when; and whether its hash was then the one the evidence
    recorded), or missing."""
    if purged is None:
        return "missing"  # as the annex says it: lost, since no purge recorded deleting it
    recorded = run.records[0].run.get("results_sha256")
    text = f"{purged.note}, recorded in the ledger"
    if recorded and recorded != purged.sha256:
        text += "; it then DIFFERED from the hash the evidence recorded"
    return text


def _run_detail(
    status: RegisterStatus,
    suite: str,
    records: list[EvidenceRecord],
    limit_cases: int,
    *,
    counted: bool,
) -> RunDetail:
    first = records[0]
    results = first.results_file(status.ledger_path)
    ok = sha256_file(results) == first.run.get("results_sha256") if results.is_file() else None
    keys: list[str] = []
    no_case: list[tuple[str, str]] = []
    for record in records:
        if record.verdict == "fail":
            keys += [k for k in (record.gate or {}).get("worst_cases") or [] if k not in keys]
            # The record keeps the verdict beside its gate's fields, not among them.
            if why := no_case_text({**(record.gate or {}), "verdict": record.verdict}):
                no_case.append((record.gate_id, why))
    return RunDetail(
        run_id=first.run_id,
        suite=suite,
        records=records,
        results_path=results,
        results_ok=ok,
        worst=worst_rows(results, keys[:limit_cases]),
        no_case=no_case,
        target=identity_label(first.target),
        counted=counted,
    )
