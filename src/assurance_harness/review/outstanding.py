"""Which flagged rows still wait for a person, computed from evidence alone: a run's queue
(``summary.json``, hashed in its gate records) minus the rows its review records cover."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..store.reviews import composed_name, majority
from ..store.runread import read_run
from .policy import requires_review

if TYPE_CHECKING:
    from ..register.ledger import EvidenceRecord


def required_keys(summary: dict[str, Any]) -> list[str]:
    """Rows of a run that must be reviewed (not the QC sample)."""
    queue = (summary.get("review") or {}).get("queue") or []
    return [
        str(item["key"])
        for item in queue
        if item.get("key") is not None and requires_review(list(item.get("reasons") or []))
    ]  # an entry without a key names no row (the run's readers check the rest of its shape)


def ledger_labels(records: list[EvidenceRecord]) -> dict[str, dict[str, dict[str, bool | None]]]:
    """Run id -> row -> reviewer -> label, from the review records (``records`` in ledger
    order: a reviewer's later record on a row stands for them; None where a record holds no
    label)."""
    labels: dict[str, dict[str, dict[str, bool | None]]] = {}
    for record in records:
        if record.is_review:
            review = record.review or {}
            by_reviewer = labels.setdefault(record.run_id, {}).setdefault(
                str(review.get("row")), {}
            )
            label = review.get("label")
            reviewer = composed_name(str(review.get("reviewer")))  # one person, old spellings too
            by_reviewer[reviewer] = label if isinstance(label, bool) else None
    return labels


def awaiting_by_run(records: list[EvidenceRecord], ledger_path: Path) -> dict[str, int | str]:
    """Run id -> flagged rows without a human label from the review records (none, or
    reviewers' labels that tie: ``store.reviews.majority``), for every run in the ledger that
    has a review queue; or, for a run whose gates awaited review but whose summary.json (its
    queue) cannot be read, why they cannot be counted. Counted as none, such a run's risk read
    "verified" on no evidence that anyone reviewed its rows. ``records`` in ledger order: a
    reviewer's later record on a row stands for them."""
    labels = ledger_labels(records)
    run_dirs: dict[str, Path] = {}
    awaited: set[str] = set()
    for record in records:
        if not record.is_review:
            run_dirs.setdefault(record.run_id, record.run_dir(ledger_path))
            if record.verdict == "awaiting_review":
                awaited.add(record.run_id)
    out: dict[str, int | str] = {}
    for run_id, run_dir in run_dirs.items():
        try:
            # Read and checked as every reader of a run does: a queue edited into another
            # shape is damage, named by the commands that show the run, not a crash here.
            summary = read_run(run_dir).summary
        except UsageError as exc:
            if run_id in awaited:  # a damaged run (a pipe in its place too): 'evidence verify'
                out[run_id] = str(exc)
            continue
        if "review" not in summary:
            continue
        rows = labels.get(run_id, {})
        missing = [k for k in required_keys(summary) if k not in rows or _tied(rows[k])]
        if missing:
            out[run_id] = len(missing)
    return out


def _tied(by_reviewer: dict[str, bool | None]) -> bool:
    """Whether a reviewed row's labels tie (``ReviewedRun.disputed``'s rule, from records)."""
    given = [label for label in by_reviewer.values() if label is not None]
    return bool(given) and majority(given) is None


class ReviewedGates:
    """The gates that awaited review, judged again with the labels the ledger's review records
    give (``verdict.measured_with_reviews``, as the run page measures them), for the register.
    Such a gate passed on the scorer's labels alone: a metric that reads ``human.label`` can
    fail once the reviews are in, and read as passed, the risk was "verified" while the run's
    own page showed the gate failing. Measured only when asked (a suite's latest run), once."""

    def __init__(self, records: list[EvidenceRecord], ledger_path: Path) -> None:
        self._labels = ledger_labels(records)
        self._dirs: dict[str, Path] = {}
        for record in records:
            if not record.is_review and record.verdict == "awaiting_review":
                self._dirs.setdefault(record.run_id, record.run_dir(ledger_path))
        self._judged: dict[str, list[tuple[str, str]] | str] = {}

    def failing(self, run_id: str, gates: Collection[str]) -> list[str] | str:
        """Those of ``gates`` (gate ids) of ``run_id`` that awaited review and fail with every
        flagged row reviewed, each with its figure ([] where none does, or the run's gates
        awaited no review); or why they cannot be measured again (its files damaged, edited
        or gone)."""
        if run_id not in self._dirs:
            return []
        if run_id not in self._judged:
            self._judged[run_id] = self._judge(run_id)
        judged = self._judged[run_id]
        if isinstance(judged, str):
            return judged
        return [text for gate_id, text in judged if gate_id in gates]

    def _judge(self, run_id: str) -> list[tuple[str, str]] | str:
        from ..errors import HarnessError
        from ..formatting import num
        from .verdict import measured_with_reviews

        try:
            run = read_run(self._dirs[run_id])
            _, gates = measured_with_reviews(run, self._labels.get(run_id, {}), outstanding=())
        except HarnessError as exc:
            return str(exc)
        failed = []
        for gate in gates:
            if gate.get("require_reviewed") and gate.get("verdict") == "fail":
                gate_id = str(gate.get("id") or gate.get("metric"))
                failed.append((gate_id, f"{gate_id} ({num(gate.get('value'))})"))
        return failed
