"""How far people and scorers agree: between reviewers, Cohen's kappa where one fixed pair of
reviewers labelled every row that has two labels, else Krippendorff's alpha (nominal) over every
reviewer's label (``stats.alpha``): pooling the pairs (alice, bob) and (bob, carol) into one
Cohen's kappa treated two pairs of people as one, and a third reviewer on a row was dropped.
Each with a seeded BCa bootstrap interval over rows; a kappa's labelled approximate where too
few rows or labels make every interval under-cover, an alpha's not given there. A row is
a distinct (case, answer) under one scorer configuration and review label, as the scorer
figures count one (``scorers.reviewed.distinct_answers``): the same answer reviewed in two runs
pairs its reviewers, each reviewer's latest verdict on any copy one vote. Then each
scorer configuration's precision, recall and specificity against the human labels as
``scorers.reviewed`` keys and counts them. Those are never pooled here: one figure over every
reviewed row mixed differently configured classifiers and counted an answer reviewed in
several runs once per run. Coverage: benchmarks/coverage.py (kappa),
benchmarks/alpha_coverage.py (alpha)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import HarnessError
from ..formatting import interval, num
from ..scorers.reviewed import (
    GoneRuns,
    ReviewedValidity,
    distinct_answers,
    review_label,
    reviewed_validity,
    scorer_identity,
)
from ..scorers.validity import named_scorers, scorer_ids_in
from ..stats.alpha import alpha_bca, alpha_caveat, alpha_no_interval, krippendorff_alpha
from ..stats.kappa import kappa_bca, kappa_caveat
from ..store.database import Database
from ..store.faults import store_faults
from ..store.reviews import Verdict, answer_digests
from ..store.runread import read_run

BOOTSTRAP = 2000

COHEN = "Cohen's kappa"
ALPHA = "Krippendorff's alpha (nominal)"


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
    """Rows (distinct answers) with labels from two or more reviewers."""
    kappa: float | None
    """The agreement figure: Cohen's kappa or Krippendorff's alpha, as ``statistic`` says (the
    JSON keeps the name ``kappa`` so older readers find it)."""
    kappa_ci: tuple[float | None, float | None]
    kappa_method: str
    """How the kappa interval was computed, with "approximate: ..." where it is."""
    kappa_why: str | None = None
    """Why ``kappa`` is None (``kappa_why``)."""
    kappa_ci_why: str | None = None
    """Why a computed ``kappa`` has no interval (``kappa_ci_why``)."""
    statistic: str = COHEN
    """``COHEN`` where one fixed pair of reviewers labelled every row with two labels (or no
    row has two), else ``ALPHA``."""
    reviewers: list[str] = field(default_factory=list)
    """The reviewers whose labels the figure reads."""

    copies: int = 0
    """Reviewed rows that are another reviewed row's answer (in another run or sample),
    counted once with it."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_reviewed": self.rows_reviewed,
            "rows_two_reviewers": self.rows_two_reviewers,
            "kappa": self.kappa,
            "kappa_ci": list(self.kappa_ci),
            "kappa_method": self.kappa_method,
            "kappa_why": self.kappa_why,
            "kappa_ci_why": self.kappa_ci_why,
            "statistic": self.statistic,
            "reviewers": list(self.reviewers),
            "copies_counted_once": self.copies,
        }

    def heading(self) -> str:
        """What the figure is, over what: the name ``review agreement`` and the queue page
        print before it."""
        if self.statistic == COHEN:
            return f"reviewer kappa ({self.rows_two_reviewers} rows with two reviewers)"
        return (
            f"reviewer agreement ({self.rows_two_reviewers} rows with two or more of "
            f"{len(self.reviewers)} reviewers)"
        )

    def copies_text(self) -> str | None:
        """The note on reviewed rows counted once with another copy of their answer, or None."""
        if not self.copies:
            return None
        return (
            f"{self.copies} reviewed rows are the same answer as another reviewed row (another "
            "run or sample): counted once with it, each reviewer's latest label on any copy one "
            "vote"
        )

    def kappa_text(self) -> str:
        """The figure as ``review agreement`` and the queue page write it: the figure and its
        interval, or why there is none; an alpha named, with why it is not Cohen's kappa."""
        low, high = self.kappa_ci
        if self.kappa is None:
            text = f"{num(None)} ({self.kappa_why})"
        elif low is None or high is None:
            text = f"{num(self.kappa)} ({self.kappa_ci_why})"
        else:
            text = f"{num(self.kappa)} {interval(low, high)}"
        if self.statistic == COHEN:
            return text
        return (
            f"{ALPHA} over {self.rows_two_reviewers} rows from {len(self.reviewers)} reviewers "
            f"(not one fixed pair, so not Cohen's kappa): {text}"
        )


def review_questions(reports: Path, run_ids: Collection[str]) -> dict[str, str | None]:
    """What each run's reviewers answered True or False to: its review label
    (``review.policy.label``) and the configuration of each scorer it names
    (``scorers.reviewed.ScorerIdentity``), the key the scorer figures count an answer under.
    Copies of an answer pair across runs only where that is the same; None where the run's
    summary cannot be read or has no review label, and its rows pair only among themselves."""
    out: dict[str, str | None] = {}
    for run_id in run_ids:
        try:
            summary = read_run(reports / run_id).summary
        except HarnessError:
            out[run_id] = None
            continue
        label = review_label(summary)
        scorers = named_scorers(summary)
        identities = sorted(
            dataclasses.astuple(scorer_identity(sid, scorers[sid], label, run_id))
            for sid in scorer_ids_in(label, [*scorers])
        )
        out[run_id] = None if label is None else json.dumps([label, identities], default=str)
    return out


def answer_items(
    current: Mapping[tuple[str, str], dict[str, Verdict]],
    answers: Mapping[tuple[str, str], str | None],
    questions: Mapping[str, str | None],
) -> dict[tuple[str, str], dict[str, Verdict]]:
    """``current``, one entry per distinct (case, answer) asked the same question, as
    ``scorers.reviewed.distinct_answers`` counts them (each reviewer's latest verdict on any
    copy is their one vote)."""
    by_question: dict[tuple[str, str], dict[tuple[str, str], dict[str, Verdict]]] = {}
    for (run_id, key), verdicts in current.items():
        question = questions.get(run_id)
        where = ("label", question) if question is not None else ("run", run_id)
        by_question.setdefault(where, {})[(run_id, key)] = verdicts
    out: dict[tuple[str, str], dict[str, Verdict]] = {}
    for rows in by_question.values():
        out.update(distinct_answers(rows, answers))
    return out


def reviewer_agreement(
    db: Database,
    reports: Path,
    current: Mapping[tuple[str, str], dict[str, Verdict]],
    *,
    seed: int = 0,
) -> Agreement:
    """``agreement`` over ``current`` with copies of an answer (by the store's digests of
    prompt and response) counted once: what ``review agreement`` and the queue page show."""
    with store_faults(db):
        answers = answer_digests(db)
    questions = review_questions(reports, {run_id for run_id, _ in current})
    return agreement(current, answers=answers, questions=questions, seed=seed)


def _labelled(verdicts: Mapping[str, Verdict]) -> dict[str, bool]:
    return {who: bool(v.label) for who, v in sorted(verdicts.items()) if v.label is not None}


def agreement(
    current: Mapping[Any, dict[str, Verdict]],
    *,
    answers: Mapping[tuple[str, str], str | None] | None = None,
    questions: Mapping[str, str | None] | None = None,
    seed: int = 0,
) -> Agreement:
    """From each row's standing verdicts (``ReviewStore.current()``); with ``answers`` (and
    ``questions``, ``review_questions``), copies of an answer as one row (``answer_items``)."""
    reviewed = sum(1 for verdicts in current.values() if _labelled(verdicts))
    items = current
    if answers is not None:
        items = answer_items(current, answers, questions or {})
    copies = reviewed - sum(1 for verdicts in items.values() if _labelled(verdicts))
    rated = [labels for labels in map(_labelled, items.values()) if len(labels) >= 2]
    names = sorted({who for labels in rated for who in labels})
    if len(names) > 2 or any(len(labels) > 2 for labels in rated):
        return _alpha(rated, names, reviewed, copies, seed)
    # One fixed pair: each row's pair in the order of the reviewers' names, so a person keeps
    # one rater's place on every row (taken in the order their standing verdicts were given,
    # a reviewer who saved a verdict again moved to the second place there, and kappa changed).
    pairs = [(labels[names[0]], labels[names[1]]) for labels in rated]
    ci = kappa_interval(pairs, seed=seed)
    return Agreement(
        rows_reviewed=reviewed,
        rows_two_reviewers=len(pairs),
        kappa=cohen_kappa(pairs),
        kappa_ci=ci,
        kappa_method=kappa_method(pairs, seed),
        kappa_why=kappa_why(pairs),
        kappa_ci_why=kappa_ci_why(pairs, ci),
        statistic=COHEN,
        reviewers=names,
        copies=copies,
    )


def _alpha(
    rated: list[dict[str, bool]], names: list[str], reviewed: int, copies: int, seed: int
) -> Agreement:
    """Krippendorff's alpha over rows with two or more labels (``stats.alpha``); no interval
    where the coverage study finds none that covers (``alpha_no_interval``), one labelled
    approximate where a rare label makes it under-cover (``alpha_caveat``: under 20% of the
    labels, or given under 40 times)."""
    rows = [(len(labels), sum(labels.values())) for labels in rated]
    value = krippendorff_alpha(rows)
    why = None
    if value is None:
        label = next(iter(rated[0].values()))
        why = (
            f"undefined: every one of the {sum(m for m, _ in rows)} labels on these rows is "
            f"{label}, so the disagreement expected by chance is 0 and alpha divides by 0"
        )
    ci: tuple[float | None, float | None] = (None, None)
    ci_why = None
    method = f"BCa bootstrap over rows (seed={seed}, resamples={BOOTSTRAP})"
    if value is not None:
        ci_why = alpha_no_interval(rows)
        if ci_why is None:
            ci = alpha_bca(rows, seed=seed, resamples=BOOTSTRAP)
            if ci[0] is None:
                ci_why = "no interval: alpha is undefined in every bootstrap resample of these rows"
            caveat = alpha_caveat(rows)
            method += f"; {caveat}" if caveat and ci[0] is not None else ""
    return Agreement(
        rows_reviewed=reviewed,
        rows_two_reviewers=len(rows),
        kappa=value,
        kappa_ci=ci,
        kappa_method=method,
        kappa_why=why,
        kappa_ci_why=ci_why,
        statistic=ALPHA,
        reviewers=names,
        copies=copies,
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
