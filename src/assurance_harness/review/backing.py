"""Whether each review verdict in ``runs.db`` is backed by its review record in the evidence
ledger.

A verdict is written to the ledger first (hash-chained, so ``evidence verify`` covers it) and
then to ``runs.db`` with the ids of its records (``review.adjudicate``). ``runs.db`` has no
chain: its triggers refuse UPDATE and DELETE, but anyone with sqlite3 can drop them, rewrite a
verdict or insert one. Such a verdict changed ``review status`` and ``review agreement`` while
the ledger still said OK. Here each stored verdict is compared with the records it names:
``evidence verify`` reports one that differs as tampering, and the review views leave it out
and say so, as ``register status`` reports a ledger that fails verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..register.evidence_record import EvidenceRecord
from ..store.reviews import Verdict

if TYPE_CHECKING:
    from ..scorers.reviewed import ReviewedFigures
    from ..store.database import Database
    from .store import ReviewStore

__all__ = [
    "Unbacked",
    "backed",
    "backed_store",
    "backed_validity",
    "check_store",
    "kept_in",
    "orphan_records",
    "unbacked_verdicts",
]


@dataclass(frozen=True)
class Unbacked:
    """A stored verdict the ledger does not hold as given."""

    verdict: Verdict
    why: str
    store: str = "runs.db"
    """Where the verdict is kept: ``runs.db``, or the team store's ``review_verdicts``."""

    def left_out(self) -> str:
        """The line a view that does not count it shows."""
        return (
            f"left out: {self.describe()}: not in the evidence ledger (assurance evidence verify)"
        )

    def describe(self) -> str:
        v = self.verdict
        return (
            f"verdict #{v.id} (run {v.run_id}, row {v.row_key}, {v.reviewer}: {v.decision}, "
            f"label {v.label}) in {self.store} {self.why}"
        )


def _differences(verdict: Verdict, record: EvidenceRecord) -> list[str]:
    """The fields in which the record says another verdict than the stored one."""
    review = record.review or {}
    expected = {
        "run": (record.run_id, verdict.run_id),
        "row": (review.get("row"), verdict.row_key),
        "reviewer": (review.get("reviewer"), verdict.reviewer),
        "decision": (review.get("decision"), verdict.decision),
        "label": (review.get("label"), verdict.label),
        "scorer_label": (review.get("scorer_label"), verdict.scorer_label),
        "note": (review.get("note"), verdict.note),
    }  # not the time: a verdict stored by the redo of a failed store write is dated then
    return [name for name, (recorded, stored) in expected.items() if recorded != stored]


def _why(verdict: Verdict, reviews: dict[str, EvidenceRecord]) -> str | None:
    if not verdict.ledger_ids:
        return "names no review record in the ledger"
    for record_id in verdict.ledger_ids:
        record = reviews.get(record_id)
        if record is None:
            return f"names {record_id}, which is no review record in the ledger"
        differ = _differences(verdict, record)
        if differ:
            return f"differs from its ledger record {record_id} in {', '.join(differ)}"
    return None


def unbacked_verdicts(
    verdicts: list[Verdict], ledger: list[EvidenceRecord], store: str = "runs.db"
) -> list[Unbacked]:
    """The verdicts whose ledger records are missing or say something else (edited or
    inserted in ``runs.db``, or ``store``, by hand), oldest first."""
    reviews = {r.id: r for r in ledger if r.is_review}
    found = ((v, _why(v, reviews)) for v in verdicts)
    return [Unbacked(v, why, store) for v, why in found if why is not None]


def orphan_records(verdicts: list[Verdict], ledger: list[EvidenceRecord]) -> list[EvidenceRecord]:
    """Review records no stored verdict names: a verdict whose ``runs.db`` write failed after
    its record was appended (the redo stores it on that record), or a row deleted from
    ``runs.db``; which, the ledger cannot tell."""
    named = {record_id for v in verdicts for record_id in v.ledger_ids}
    return [r for r in ledger if r.is_review and r.id not in named]


def check_store(db: Path, ledger_path: Path) -> tuple[list[Unbacked], list[EvidenceRecord]]:
    """The unbacked verdicts and orphan review records of the store ``db`` (``runs.db`` or the
    team store it stands for) against the ledger at ``ledger_path``. The ledger is read even
    when the store holds no verdict: every verdict deleted, or ``runs.db`` moved aside (as its
    own "cannot be read" error advises), leaves every review record an orphan, and skipping
    the check then made ``evidence verify`` say nothing where one deleted verdict was named."""
    from ..register.ledger_store import read_ledger
    from .store import ReviewStore

    store = ReviewStore(db)
    verdicts = store.history()
    ledger = read_ledger(ledger_path, strict=False, reviews=True)
    return unbacked_verdicts(verdicts, ledger, kept_in(store.db)), orphan_records(verdicts, ledger)


def kept_in(database: Database) -> str:
    """Where ``database`` keeps the verdicts, for messages: ``runs.db``, or the team store's
    table (named ``runs.db``, whoever checked a team store's verdict looked for a file it
    never wrote)."""
    return "runs.db" if database.dialect == "sqlite" else f"{database.where} (review_verdicts)"


def backed_store(reports: Path) -> tuple[ReviewStore, list[Unbacked]]:
    """The review store of ``reports`` with the verdicts its ledger does not back left out,
    and those verdicts, for the caller to name: a view that counts them would rest on what
    ``evidence verify`` reports as tampering. With no ledger at all (nothing to check against:
    a store whose ledger is elsewhere) every verdict counts, and the second list is empty."""
    from ..workspace import Workspace

    workspace = Workspace.at(reports)
    return backed(workspace.index, workspace.ledger)


def backed(db: Path, ledger: Path) -> tuple[ReviewStore, list[Unbacked]]:
    """:func:`backed_store` of the store ``db`` against the ledger at ``ledger`` (the web app's
    ``--ledger``)."""
    from ..register.ledger_store import read_ledger
    from .store import ReviewStore

    store = ReviewStore(db)
    if not _ledger_present(ledger):
        return store, []
    verdicts = store.history()
    if not verdicts:  # nothing to leave out: the ledger is not read for every page
        return store, []
    records = read_ledger(ledger, strict=False, reviews=True)
    unbacked = unbacked_verdicts(verdicts, records, kept_in(store.db))
    if not unbacked:
        return store, []
    return ReviewStore(db, leave_out={u.verdict.id for u in unbacked}), unbacked


def backed_validity(
    reports: Path, *, target: str | None = None, ledger: Path | None = None
) -> tuple[ReviewedFigures, list[Unbacked]]:
    """Each scorer identity's reviewed figures (``scorers.reviewed.reviewed_validity``: a view
    reads a run's through ``for_summary``) from the verdicts
    the evidence ledger backs (the workspace's ledger of ``reports``, or ``ledger``), and the
    verdicts left out, for the caller to name. What a gate's ``min_validity``, the run report,
    ``review agreement`` and the annex read: a verdict inserted in ``runs.db`` by hand raised a
    scorer's precision there while ``review status`` already left it out. Nothing is created
    to find out: no store, no figures; no ledger, every verdict counts (as :func:`backed`)."""
    from ..scorers.reviewed import ReviewedFigures, reviewed_validity
    from ..store.location import index_available
    from ..workspace import Workspace

    workspace = Workspace.at(reports, ledger=ledger)
    if not index_available(workspace.index):
        return ReviewedFigures({}, target), []
    store, unbacked = backed(workspace.index, workspace.ledger)
    return reviewed_validity(reports, target=target, leave_out=store.leave_out), unbacked


def _ledger_present(ledger: Path) -> bool:
    from ..register.ledger_team import team_ledger

    return team_ledger(ledger) is not None or ledger.exists()
