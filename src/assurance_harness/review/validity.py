"""A scorer's precision and recall against this deployment's human verdicts, beside its
bundled validity card: the card says how the scorer did on its validation set, the review
verdicts how it does on this deployment's own responses.

Each reviewed run's ``review.policy.label`` names the scorer label people confirmed or
corrected (``tox.flagged``); its scorer ids map to registry names through the run's summary,
so verdicts from every run of every suite that used the same scorer count together.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import HarnessError
from ..formatting import interval, num
from ..report.rundata import load_run
from ..scorers.validity import scorer_ids_in
from .agreement import Agreement, agreement
from .store import ReviewStore, Verdict


@dataclass
class ReviewedValidity:
    """One scorer's figures against human labels on this deployment."""

    scorer: str
    """Registry name (``offensive-language``)."""
    verdicts: int
    """Human verdicts with a label behind the figures."""
    agreement: Agreement

    def text(self) -> str:
        def figure(name: str, value: float | None, ci: tuple[float | None, float | None]) -> str:
            if value is None:
                return f"{name} –"
            bounds = f" {interval(*ci)}" if ci[0] is not None and ci[1] is not None else ""
            return f"{name} {num(value)}{bounds}"

        a = self.agreement
        return (
            f"reviewed on this deployment: {figure('precision', a.precision, a.precision_ci)}, "
            f"{figure('recall', a.recall, a.recall_ci)} from {self.verdicts} human verdicts"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scorer": self.scorer,
            "verdicts": self.verdicts,
            "text": self.text(),
            **{k: v for k, v in self.agreement.to_dict().items() if not k.startswith("kappa")},
        }


def _label_scorers(reports: Path, run_id: str) -> list[str]:
    """Registry names of the scorers the run's review label reads; none for a run not found."""
    try:
        summary = load_run(reports / run_id).summary
    except HarnessError:
        return []
    label = ((summary.get("review") or {}).get("policy") or {}).get("label")
    scorers = {
        str(sid): str(info.get("name"))
        for sid, info in (summary.get("scorers") or {}).items()
        if isinstance(info, dict) and info.get("name")
    }
    return [scorers[sid] for sid in scorer_ids_in(label, list(scorers))] if label else []


def reviewed_validity(reports: Path, db: Path | None = None) -> dict[str, ReviewedValidity]:
    """Per scorer name, its precision and recall against every human verdict in the store."""
    current = ReviewStore(db or reports / "runs.db").current()
    by_scorer: dict[str, dict[Any, dict[str, Verdict]]] = {}
    names: dict[str, list[str]] = {}
    for (run_id, key), verdicts in current.items():
        if run_id not in names:
            names[run_id] = _label_scorers(reports, run_id)
        for name in names[run_id]:
            by_scorer.setdefault(name, {})[(run_id, key)] = verdicts
    out: dict[str, ReviewedValidity] = {}
    for name, rows in sorted(by_scorer.items()):
        result = agreement(rows)
        labelled = sum(1 for vs in rows.values() for v in vs.values() if v.label is not None)
        if result.rows_reviewed:
            out[name] = ReviewedValidity(name, labelled, result)
    return out
