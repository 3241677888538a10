"""A scorer's precision and recall against this deployment's human verdicts: the reviewed
counterpart of its validity card (``validity.py``). The card says how the scorer did on its
validation set; the verdicts say how it does on this deployment's own responses.

Each reviewed run's ``review.policy.label`` names the scorer label people confirmed or
corrected (``tox.flagged``); its scorer ids map to registry names through the run's summary,
so verdicts from every run of every suite that used the same scorer count together.

Here, below the views, so the run report, the register annex, ``assurance review agreement``
and ``min_validity`` at run time all read the same figures. Intervals are Clopper-Pearson. The
rows people review are chosen by the review policy (every flagged row, a band, a random
share), so recall only sees the misses that reached a reviewer: with a small random share it
reads high. The counts are always shown beside the figure for that reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import HarnessError
from ..formatting import interval, num
from ..stats.intervals import clopper_pearson
from ..store.database import Database
from ..store.location import index_available, open_database
from ..store.reviews import Verdict, consensus, standing_verdicts
from ..store.runread import read_run
from .validity import Figure, scorer_ids_in

REVIEWED_FIGURES = ("precision", "recall")
"""The figures human verdicts give a scorer (``min_validity`` may ask for these)."""
ON = "this deployment's human verdicts"


def label_counts(standing: Mapping[Any, Mapping[str, Verdict]]) -> tuple[dict[str, int], int]:
    """tp, fp, fn, tn of the scorer's label against the human label (each row's consensus),
    and the number of rows with at least one labelled verdict."""
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    reviewed = 0
    for verdicts in standing.values():
        labelled = sorted((v for v in verdicts.values() if v.label is not None), key=lambda v: v.id)
        if not labelled:
            continue
        reviewed += 1
        human = consensus(verdicts)
        scorer = labelled[-1].scorer_label
        if human is None or scorer is None:
            continue
        counts[("t" if scorer == human else "f") + ("p" if scorer else "n")] += 1
    return counts, reviewed


def rate_figure(hits: int, n: int) -> Figure | None:
    """``hits / n`` with its Clopper-Pearson interval; None where nothing was counted."""
    if n == 0:
        return None
    low, high = clopper_pearson(hits, n)
    return Figure(value=hits / n, low=low, high=high, n=n, on=ON, method="clopper-pearson")


@dataclass(frozen=True)
class ReviewedValidity:
    """One scorer's figures against human labels on this deployment."""

    scorer: str
    """Registry name (``offensive-language``)."""
    verdicts: int
    """Human verdicts with a label behind the figures."""
    counts: dict[str, int]
    """tp, fp, fn, tn of the scorer's label against the human label."""

    @property
    def precision(self) -> Figure | None:
        return rate_figure(self.counts["tp"], self.counts["tp"] + self.counts["fp"])

    @property
    def recall(self) -> Figure | None:
        return rate_figure(self.counts["tp"], self.counts["tp"] + self.counts["fn"])

    def figure(self, name: str) -> Figure | None:
        """``precision`` or ``recall``; None for any other name or where nothing was counted."""
        return getattr(self, name) if name in REVIEWED_FIGURES else None

    def counts_text(self, name: str) -> str:
        """The counts behind one figure: ``tp 1, fp 1 from 3 human verdicts``."""
        other = "fp" if name == "precision" else "fn"
        return (
            f"tp {self.counts['tp']}, {other} {self.counts[other]} "
            f"from {self.verdicts} human verdicts"
        )

    def text(self) -> str:
        def figure(name: str) -> str:
            fig = self.figure(name)
            if fig is None:
                return f"{name} –"
            bounds = f" {interval(fig.low, fig.high)}" if fig.low is not None else ""
            return f"{name} {num(fig.value)}{bounds}"

        return (
            f"reviewed on this deployment: {figure('precision')}, {figure('recall')} "
            f"from {self.verdicts} human verdicts"
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scorer": self.scorer,
            "verdicts": self.verdicts,
            "text": self.text(),
            "rates_method": "clopper-pearson",
            "counts": dict(self.counts),
        }
        for name in REVIEWED_FIGURES:
            fig = self.figure(name)
            out[name] = None if fig is None else fig.value
            out[f"{name}_ci"] = [None, None] if fig is None else [fig.low, fig.high]
        return out


def _label_scorers(reports: Path, run_id: str) -> list[str]:
    """Registry names of the scorers the run's review label reads; none for a run not found."""
    try:
        summary = read_run(reports / run_id).summary
    except HarnessError:
        return []
    label = ((summary.get("review") or {}).get("policy") or {}).get("label")
    scorers = {
        str(sid): str(info.get("name"))
        for sid, info in (summary.get("scorers") or {}).items()
        if isinstance(info, dict) and info.get("name")
    }
    return [scorers[sid] for sid in scorer_ids_in(label, list(scorers))] if label else []


def reviewed_validity(
    reports: Path, db: Path | Database | None = None
) -> dict[str, ReviewedValidity]:
    """Per scorer name, its precision and recall against every human verdict in the store
    (``reports/runs.db``, or the team store); empty where there is no store yet (nothing is
    created to find that out)."""
    embedded = db if db is not None else reports / "runs.db"
    if not isinstance(embedded, Database) and not index_available(embedded):
        return {}
    standing = standing_verdicts(open_database(embedded))
    by_scorer: dict[str, dict[Any, dict[str, Verdict]]] = {}
    names: dict[str, list[str]] = {}
    for (run_id, key), verdicts in standing.items():
        if run_id not in names:
            names[run_id] = _label_scorers(reports, run_id)
        for name in names[run_id]:
            by_scorer.setdefault(name, {})[(run_id, key)] = verdicts
    out: dict[str, ReviewedValidity] = {}
    for name, rows in sorted(by_scorer.items()):
        counts, reviewed = label_counts(rows)
        labelled = sum(1 for vs in rows.values() for v in vs.values() if v.label is not None)
        if reviewed:
            out[name] = ReviewedValidity(name, labelled, counts)
    return out
