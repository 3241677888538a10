"""How far people and scorers agree: Cohen's kappa between two reviewers (with a seeded BCa
bootstrap interval over rows, labelled approximate where too few rows or labels make every
interval under-cover), and each scorer configuration's precision, recall and specificity
against the human labels as ``scorers.reviewed`` keys and counts them. Those are never pooled
here: one figure over every reviewed row mixed differently configured classifiers and counted
an answer reviewed in several runs once per run. Coverage: benchmarks/coverage.py."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import HarnessError
from ..formatting import interval, num
from ..scorers.reviewed import GoneRuns, ReviewedValidity, reviewed_validity
from ..stats.kappa import kappa_bca, kappa_caveat
from ..store.reviews import Verdict
from ..store.runread import read_run

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


def kappa_why(pairs: list[tuple[bool, bool]]) -> str | None:
    """Why ``cohen_kappa(pairs)`` is None, or None where it is not. A bare "–" beside "N rows
    with two reviewers" read as nothing measured, where two reviewers who gave every row the
    same one label agree perfectly (kappa is 0/0 there, not 0 nor 1)."""
    if not pairs:
        return "not computed: no row has labels from two reviewers"
    if cohen_kappa(pairs) is not None:
        return None
    label = pairs[0][0]  # chance agreement 1: both gave every row this one label
    return (
        f"undefined: both reviewers gave each of the {len(pairs)} rows the label {label} (they "
        "agree on every one), so the agreement expected by chance is 1 and kappa divides by 0"
    )


def kappa_ci_why(
    pairs: list[tuple[bool, bool]], ci: tuple[float | None, float | None]
) -> str | None:
    """Why a kappa that was computed has no interval (``ci``), or None."""
    if cohen_kappa(pairs) is None or (ci[0] is not None and ci[1] is not None):
        return None
    if len(pairs) < 2:
        return f"no interval: {len(pairs)} row with two reviewers, a bootstrap needs 2"
    return "no interval: kappa is undefined in every bootstrap resample of these rows"


@dataclass
class Agreement:
    """Agreement between people over the reviewed rows. No scorer figure: those are each
    configuration's (``ScorerFigures``)."""

    rows_reviewed: int
    rows_two_reviewers: int
    kappa: float | None
    kappa_ci: tuple[float | None, float | None]
    kappa_method: str
    """How the kappa interval was computed, with "approximate: ..." where it is."""
    kappa_why: str | None = None
    """Why ``kappa`` is None (``kappa_why``)."""
    kappa_ci_why: str | None = None
    """Why a computed ``kappa`` has no interval (``kappa_ci_why``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_reviewed": self.rows_reviewed,
            "rows_two_reviewers": self.rows_two_reviewers,
            "kappa": self.kappa,
            "kappa_ci": list(self.kappa_ci),
            "kappa_method": self.kappa_method,
            "kappa_why": self.kappa_why,
            "kappa_ci_why": self.kappa_ci_why,
        }

    def kappa_text(self) -> str:
        """The kappa as ``review agreement`` and the queue page write it: the figure and its
        interval, or why there is none."""
        low, high = self.kappa_ci
        if self.kappa is None:
            return f"{num(None)} ({self.kappa_why})"
        if low is None or high is None:
            return f"{num(self.kappa)} ({self.kappa_ci_why})"
        return f"{num(self.kappa)} {interval(low, high)}"


def agreement(current: dict[Any, dict[str, Verdict]], *, seed: int = 0) -> Agreement:
    """From each row's standing verdicts (``ReviewStore.current()``)."""
    pairs: list[tuple[bool, bool]] = []
    reviewed = 0
    for verdicts in current.values():
        labelled = [v for _, v in sorted(verdicts.items()) if v.label is not None]
        reviewed += bool(labelled)
        if len(labelled) >= 2:
            # The row's first two reviewers by name, so a person keeps one rater's place on
            # every row: taken in the order their standing verdicts were given, a reviewer
            # who saved a verdict again moved to the second place there, and kappa changed.
            pairs.append((bool(labelled[0].label), bool(labelled[1].label)))
    ci = kappa_interval(pairs, seed=seed)
    return Agreement(
        rows_reviewed=reviewed,
        rows_two_reviewers=len(pairs),
        kappa=cohen_kappa(pairs),
        kappa_ci=ci,
        kappa_method=kappa_method(pairs, seed),
        kappa_why=kappa_why(pairs),
        kappa_ci_why=kappa_ci_why(pairs, ci),
    )


@dataclass(frozen=True)
class ScorerFigures:
    """The scorer figures ``review agreement`` and the queue page show: one entry per scorer
    configuration, each ``scorers.reviewed``'s own (never recomputed here), and for a run's
    scorer with none, why."""

    figures: list[ReviewedValidity] = field(default_factory=list)
    why_none: dict[str, str] = field(default_factory=dict)
    """By scorer id of the run (``--run``), or the run id where its folder could not be read."""
    gone: GoneRuns = field(default_factory=GoneRuns)
    """Verdicts not counted because their run's folder is gone (each figure says it too)."""


def scorer_figures(
    reports: Path, *, run_id: str | None = None, leave_out: Collection[int] = ()
) -> ScorerFigures:
    """Every scorer configuration's figures over every target's runs; with ``run_id``, those
    of that run's scorers as configured in it, over the runs of its target, as its report and
    its gates' ``min_validity`` read them (``ReviewedFigures.for_summary``). ``leave_out``:
    ids of the verdicts the evidence ledger does not back."""
    if run_id is None:
        every = reviewed_validity(reports, leave_out=leave_out)
        return ScorerFigures(list(every.values()), gone=every.gone)
    try:
        summary = read_run(reports / run_id).summary
    except HarnessError as exc:
        return ScorerFigures([], {run_id: f"no scorer figures: {exc}"})
    target = (summary.get("target") or {}).get("fingerprint")
    figures = reviewed_validity(
        reports, target=str(target) if target else None, leave_out=leave_out
    )
    own = figures.for_summary(summary, run_id)
    listed: list[ReviewedValidity] = []
    for found in own.figures.values():
        if found not in listed:  # two ids configuring one scorer alike share its figures
            listed.append(found)
    return ScorerFigures(listed, dict(own.why_none), figures.gone)
