"""How far people and scorers agree: Cohen's kappa between two reviewers (with a seeded BCa
bootstrap interval over rows, labelled approximate where too few rows or labels make every
interval under-cover) and the scorer's precision and recall against human labels
(Clopper-Pearson intervals), the figures a scorer's validity card and corrected rates can use.
Coverage of both: benchmarks/coverage.py."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ..scorers.reviewed import label_counts
from ..stats.intervals import clopper_pearson
from ..stats.kappa import kappa_bca, kappa_caveat
from ..store.reviews import Verdict

BOOTSTRAP = 2000


def cohen_kappa(pairs: list[tuple[bool, bool]]) -> float | None:
    """Kappa for two raters' boolean labels; None when undefined (no pairs, or both raters
    used one label only, so chance agreement is 1)."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    pa = sum(1 for a, _ in pairs if a) / n
    pb = sum(1 for _, b in pairs if b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)


def kappa_interval(
    pairs: list[tuple[bool, bool]], *, seed: int = 0, confidence: float = 0.95
) -> tuple[float | None, float | None]:
    """BCa bootstrap interval over rows (``stats.kappa.kappa_bca``)."""
    return kappa_bca(pairs, seed=seed, resamples=BOOTSTRAP, confidence=confidence)


def kappa_method(pairs: list[tuple[bool, bool]], seed: int) -> str:
    method = f"BCa bootstrap over rows (seed={seed}, resamples={BOOTSTRAP})"
    caveat = kappa_caveat(pairs)
    return f"{method}; {caveat}" if caveat else method


@dataclass
class Agreement:
    rows_reviewed: int
    rows_two_reviewers: int
    kappa: float | None
    kappa_ci: tuple[float | None, float | None]
    kappa_method: str
    """How the kappa interval was computed, with "approximate: ..." where it is."""
    precision: float | None
    precision_ci: tuple[float | None, float | None]
    recall: float | None
    recall_ci: tuple[float | None, float | None]
    counts: dict[str, int]
    """tp, fp, fn, tn of the scorer's label against the human label."""
    recall_rows: str = "every reviewed row"
    """Which rows recall is computed from: the random QC share when known (the other queued
    rows are picked by the scorer's own flags, so misses are under-counted in them)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_reviewed": self.rows_reviewed,
            "rows_two_reviewers": self.rows_two_reviewers,
            "kappa": self.kappa,
            "kappa_ci": list(self.kappa_ci),
            "kappa_method": self.kappa_method,
            "rates_method": "clopper-pearson",
            "precision": self.precision,
            "precision_ci": list(self.precision_ci),
            "recall": self.recall,
            "recall_ci": list(self.recall_ci),
            "recall_rows": self.recall_rows,
            "counts": self.counts,
        }


def agreement(
    current: dict[Any, dict[str, Verdict]],
    *,
    seed: int = 0,
    sample: Collection[Any] | None = None,
) -> Agreement:
    """From each row's standing verdicts (``ReviewStore.current()``). ``sample``: the rows
    (keys of ``current``) of the random QC share; recall is then computed from them alone."""
    pairs: list[tuple[bool, bool]] = []
    for verdicts in current.values():
        labelled = sorted((v for v in verdicts.values() if v.label is not None), key=lambda v: v.id)
        if len(labelled) >= 2:
            # The first two reviewers of the row, in the order they gave their verdicts.
            pairs.append((bool(labelled[0].label), bool(labelled[1].label)))
    counts, reviewed = label_counts(current)
    flagged = counts["tp"] + counts["fp"]
    recall_counts = counts
    if sample is not None:
        recall_counts, _ = label_counts({k: v for k, v in current.items() if k in sample})
    positives = recall_counts["tp"] + recall_counts["fn"]
    return Agreement(
        rows_reviewed=reviewed,
        rows_two_reviewers=len(pairs),
        kappa=cohen_kappa(pairs),
        kappa_ci=kappa_interval(pairs, seed=seed),
        kappa_method=kappa_method(pairs, seed),
        precision=counts["tp"] / flagged if flagged else None,
        precision_ci=clopper_pearson(counts["tp"], flagged),
        recall=recall_counts["tp"] / positives if positives else None,
        recall_ci=clopper_pearson(recall_counts["tp"], positives),
        counts=counts,
        recall_rows="every reviewed row" if sample is None else "the random QC share",
    )
