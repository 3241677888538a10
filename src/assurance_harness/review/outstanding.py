"""Which flagged rows still wait for a person, computed from evidence alone: a run's queue
(``summary.json``, hashed in its gate records) minus the rows its review records cover."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import HarnessError, UsageError
from ..privacy.retention import PURGED, RETENTION, REVIEWED_GATES
from ..run_lookup import RunLookup
from ..store.reviews import composed_name, majority
from ..store.runread import RunLog, read_run
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
    """``Awaiting``'s counts of every run in the ledger at once (each run's files read)."""
    return dict(Awaiting(records, ledger_path))


class Awaiting(RunLookup[int | str]):
    """Run id -> flagged rows without a human label from the review records (none, or
    reviewers' labels that tie: ``store.reviews.majority``), for a run in the ledger that has
    a review queue; or, for a run whose gates awaited review but whose summary.json (its
    queue) cannot be read, why they cannot be counted. Counted as none, such a run's risk read
    "verified" on no evidence that anyone reviewed its rows. A run with none outstanding is
    not a key. ``records`` in ledger order: a reviewer's later record on a row stands for them.

    Each run is counted when first asked for, once: the register shows each suite's latest
    run only, and counting every run of a ledger of 6,025 runs (reading the run.json,
    summary.json and manifest.json of each) took 21 s of a 27 s register page. Iterating
    counts every run."""

    def __init__(self, records: list[EvidenceRecord], ledger_path: Path) -> None:
        super().__init__()
        self._labels = ledger_labels(records)
        self._dirs: dict[str, Path] = {}
        self._awaited: set[str] = set()
        for record in records:
            if not record.is_review:
                self._dirs.setdefault(record.run_id, record.run_dir(ledger_path))
                if record.verdict == "awaiting_review":
                    self._awaited.add(record.run_id)

    def _runs(self) -> Iterable[str]:
        return self._dirs

    def _look(self, run_id: str) -> int | str | None:
        """The run's rows still waiting, why they cannot be counted, or None (none wait, or
        the run is not in the records)."""
        run_dir = self._dirs.get(run_id)
        if run_dir is None:
            return None
        try:
            # Read and checked as every reader of a run does: a queue edited into another
            # shape is damage, named by the commands that show the run, not a crash here.
            summary = read_run(run_dir).summary
        except UsageError as exc:
            # a damaged run (a pipe in its place too): 'evidence verify'
            return str(exc) if run_id in self._awaited else None
        if "review" not in summary:
            return None
        rows = self._labels.get(run_id, {})
        missing = [k for k in required_keys(summary) if k not in rows or _tied(rows[k])]
        return len(missing) or None


def _tied(by_reviewer: dict[str, bool | None]) -> bool:
    """Whether a reviewed row's labels tie (``ReviewedRun.disputed``'s rule, from records)."""
    given = [label for label in by_reviewer.values() if label is not None]
    return bool(given) and majority(given) is None


@dataclass(frozen=True)
class JudgedGate:
    """A gate that awaited review, as measured with the reviews in: its verdict (``pass``,
    ``fail``, ``awaiting_review`` while flagged rows have no human label, ``no_data``) and
    figure."""

    id: str
    verdict: str
    value: Any

    @property
    def text(self) -> str:
        """``id (figure)``, as the register's reasons name a failing gate."""
        from ..formatting import num

        return f"{self.id} ({num(self.value)})"


def gates_with_reviews(run_dir: Path, records: list[EvidenceRecord]) -> dict[str, Any] | None:
    """What ``runs purge`` records of a run under ``REVIEWED_GATES`` just before it deletes the
    run's rows: its gates that awaited review, measured with the labels of ``records`` (the
    run's ledger records; ``verdict.measured_with_reviews``), ``{"gates": [{"id", "verdict",
    "value"}], "outstanding": rows still without a human label}``; ``{"unmeasured": why}``
    where they cannot be (the run's files damaged or edited); None where no gate of the run
    awaited review. A reviewed run's verdicts stay evidence after the purge, but a gate on the
    human labels can only be measured from the rows: read over none, it gave no verdict, and a
    gate failing with the reviews in read as passed."""
    try:
        run = read_run(run_dir)
        if not any(gate.get("verdict") == "awaiting_review" for gate in run.gates):
            return None
        gates, outstanding = _measured(run, ledger_labels(records).get(run.run_id, {}))
    except HarnessError as exc:
        return {"unmeasured": str(exc)}
    return {
        "gates": [
            {"id": gate.id, "verdict": gate.verdict, "value": _finite(gate.value)} for gate in gates
        ],
        "outstanding": outstanding,
    }


def _measured(
    run: RunLog, labels: dict[str, dict[str, bool | None]]
) -> tuple[list[JudgedGate], int]:
    """``run``'s gates that require review measured with ``labels`` (row -> reviewer ->
    label), and how many flagged rows still have no human label (``awaiting_review`` gates
    while any has none)."""
    from .verdict import measured_with_reviews

    outstanding = [
        key for key in required_keys(run.summary) if key not in labels or _tied(labels[key])
    ]
    _, gates = measured_with_reviews(run, labels, outstanding=outstanding)
    judged = [
        JudgedGate(
            str(gate.get("id") or gate.get("metric")), str(gate.get("verdict")), gate.get("value")
        )
        for gate in gates
        if gate.get("require_reviewed")
    ]
    return judged, len(outstanding)


def _finite(value: Any) -> Any:
    """``value`` as a ledger record can hold it: a float that is not finite (no JSON) is None."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


class ReviewedGates:
    """The gates that awaited review, judged again with the labels the ledger's review records
    give (``verdict.measured_with_reviews``, as the run page measures them), for the register.
    Such a gate passed on the scorer's labels alone: a metric that reads ``human.label`` can
    fail once the reviews are in, and read as passed, the risk was "verified" while the run's
    own page showed the gate failing. Measured only when asked (a suite's latest run), once:
    the risk page's table shows the figures the status was judged on (``judged``) from the
    same measurement."""

    def __init__(self, records: list[EvidenceRecord], ledger_path: Path) -> None:
        super().__init__()
        self._labels = ledger_labels(records)
        self._dirs: dict[str, Path] = {}
        self._purged: dict[str, dict[str, Any]] = {}
        for record in records:
            if not record.is_review and record.verdict == "awaiting_review":
                self._dirs.setdefault(record.run_id, record.run_dir(ledger_path))
            elif _took_rows(record):
                self._purged[record.run_id] = record.run  # the purge that took its rows
        self._judged: dict[str, list[JudgedGate] | str] = {}

    def purged(self, run_id: str) -> bool:
        """Whether a recorded purge deleted the run's rows: its gates are judged from what the
        purge recorded (``gates_with_reviews``), and where it recorded nothing, whether they
        pass with the reviews in cannot be told, the reviews notwithstanding."""
        return run_id in self._purged

    def purge_note(self, run_id: str) -> str | None:
        """The words "purged <when> under the retention policy" for a run whose rows a purge
        recorded deleted (None for one no purge took): the register's reason for a run whose
        flagged rows went unreviewed, which ``review adjudicate`` refuses verdicts on now."""
        if run_id not in self._purged:
            return None
        from ..formatting import when

        at = self._purged[run_id].get("purged_at")
        return (
            "purged"
            + (f" {when(at)}" if isinstance(at, str) else "")
            + " under the retention policy"
        )

    def judged(self, run_id: str) -> list[JudgedGate] | str:
        """``run_id``'s gates that awaited review, with the reviews in ([] where none awaited
        review); or why they cannot be measured again (its files damaged, edited or gone)."""
        if run_id not in self._dirs:
            return []
        if run_id not in self._judged:
            self._judged[run_id] = self._judge(run_id)
        return self._judged[run_id]

    def failing(self, run_id: str, gates: Collection[str]) -> list[str] | str:
        """Those of ``gates`` (gate ids) of ``run_id`` that awaited review and fail with every
        flagged row reviewed, each with its figure ([] where none does, or the run's gates
        awaited no review); or why they cannot be measured again (its files damaged, edited
        or gone)."""
        judged = self.judged(run_id)
        if isinstance(judged, str):
            return judged
        return [gate.text for gate in judged if gate.verdict == "fail" and gate.id in gates]

    def _judge(self, run_id: str) -> list[JudgedGate] | str:
        if run_id in self._purged:
            return _as_recorded(self._purged[run_id])
        try:
            run = read_run(self._dirs[run_id])
            return _kept_or_measured(run, self._labels.get(run_id, {}))
        except HarnessError as exc:
            return str(exc)


MEASURED_KEPT = 512
"""Runs' gates measured with the reviews that the process keeps (``_kept_or_measured``), the
least recently used let go first: a register's suites' latest runs, many times over."""
_kept: OrderedDict[tuple[Any, ...], list[JudgedGate]] = OrderedDict()
_kept_lock = threading.Lock()


def _kept_or_measured(run: RunLog, labels: dict[str, dict[str, bool | None]]) -> list[JudgedGate]:
    """``_measured(run, labels)``'s gates, measured once per content: kept under the SHA-256 of
    the run's results.jsonl, summary.json and manifest.json (what the measurement reads, and
    checks against one another) and ``labels``. Every register page built the status anew and
    measured each suite's latest reviewed run again over all its rows: 50 reviewed runs of 400
    rows took about 3 s a page. A new verdict is other labels and a file edited other bytes, so
    either is measured again (and an edit refused there), never read from what was kept; a
    file changed while it was measured keeps nothing."""
    key = _content_key(run, labels)
    if key is not None:
        with _kept_lock:
            kept = _kept.get(key)
            if kept is not None:
                _kept.move_to_end(key)
                return kept
    judged = _measured(run, labels)[0]
    if key is not None and _content_key(run, labels) == key:
        with _kept_lock:
            _kept[key] = judged
            while len(_kept) > MEASURED_KEPT:
                _kept.popitem(last=False)
    return judged


def _content_key(run: RunLog, labels: dict[str, dict[str, bool | None]]) -> tuple[Any, ...] | None:
    """What ``_kept_or_measured`` keeps a measurement under; None where a file cannot be read
    (measured, the run then says why)."""
    from ..store.files import sha256_file

    try:
        files = tuple(
            sha256_file(path)
            for path in (
                run.results_path,
                run.run_dir / "summary.json",
                run.run_dir / "manifest.json",
            )
        )
    except (OSError, HarnessError):
        return None
    given = tuple(
        sorted(
            (row, tuple(sorted(by.items(), key=lambda item: item[0]))) for row, by in labels.items()
        )
    )
    return (str(run.run_dir), files, given)


def _took_rows(record: EvidenceRecord) -> bool:
    """Whether ``record`` is a purge that deleted its run's rows (results.jsonl)."""
    return (
        record.risk_id == RETENTION
        and record.verdict == PURGED
        and "results.jsonl" in (record.run.get("purged_files") or {})
    )


def _as_recorded(purge: dict[str, Any]) -> list[JudgedGate] | str:
    """The gates a purge recorded measured with the reviews (``REVIEWED_GATES``), as
    ``ReviewedGates._judge`` gives them; or why they cannot be told (a purge recorded before
    purges kept them, or one that could not measure them)."""
    from ..formatting import when

    kept = purge.get(REVIEWED_GATES)
    at = purge.get("purged_at")
    at_text = f" {when(at)}" if isinstance(at, str) else ""
    purged = f"its rows were purged{at_text} under the retention policy"
    if not isinstance(kept, dict) or not isinstance(kept.get("gates"), list):
        why = kept.get("unmeasured") if isinstance(kept, dict) else None
        if isinstance(why, str):
            return f"{purged}, and they could not be measured before: {why}"
        return f"{purged} by a purge that did not record them measured with the reviews"
    return [
        JudgedGate(str(gate.get("id")), str(gate.get("verdict")), gate.get("value"))
        for gate in kept["gates"]
        if isinstance(gate, dict)
    ]
