"""A scorer's precision and recall against the human verdicts on a target's runs: the
reviewed counterpart of its validity card (``validity.py``). The card says how the scorer did
on its validation set; the verdicts say how it does on this deployment's own responses.

Each reviewed run's ``review.policy.label`` names the scorer label people confirmed or
corrected (``tox.flagged``). The figures are keyed by the scorer as that run configured it
(``ScorerIdentity``): its registry name, version and parameters as the run's summary records
them (``scorers.<id>``: what ``Scorer.describe`` gives), and the review label with the scorer's
own id written ``{scorer}``. Verdicts from every run of every suite count together only where
that identity is the same: verdicts on a toxicity scorer flagging at 0.5 say nothing of its
precision flagging at 0.1. A run whose summary records no version or parameters (an older one)
cannot be shown to be any other run's configuration: its verdicts are an identity of their own
(``unrecorded_run``), counted for that run alone. Only runs of the same target configuration
(fingerprint) count when one is given: a gate's ``min_validity`` and a run's report read the
figures of the target that run evaluated, so verdicts given on another model's responses never
vouch for this one.

Here, below the views, so the run report, the register annex, ``assurance review agreement``
and ``min_validity`` at run time all read the same figures. Intervals are Clopper-Pearson.
Verdicts on a run whose folder was deleted by hand cannot be counted (a verdict is read through
its run's summary); every view of the figures says how many, on which runs (``GoneRuns``).

Which rows each figure may use: people review the rows the review policy picks (every flagged
row, a band, the worst cases, a random QC share), so the reviewed rows are not a sample of the
run. Precision reads the rows the scorer flagged, which the policy queues whatever their truth.
Recall and specificity need rows picked regardless of both labels: only the random QC share
(``review.sample``) is, so they are computed from it alone. Counting the flagged and band rows
too made recall read high (misses reach a reviewer only by the band or the sample) and
specificity low; without a QC share they are absent, never guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import HarnessError, UsageError
from ..formatting import interval, num
from ..rowkeys import split_case_key
from ..stats.intervals import clopper_pearson
from ..store.database import Database
from ..store.faults import store_faults
from ..store.index import indexed_targets
from ..store.location import index_available, open_database
from ..store.reviews import (
    Verdict,
    answer_digests,
    consensus,
    disputed,
    standing_verdicts,
)
from ..store.runread import read_run
from .configured import configured
from .validity import Figure, named_scorers, scorer_ids_in

REVIEWED_FIGURES = ("precision", "recall", "specificity")
"""The figures human verdicts give a scorer (``min_validity`` may ask for these)."""


QC_REASON = "qc"
"""The queue reason of the random quality-control share (``review.policy``)."""


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


OWN_ID = "{scorer}"
"""How a review label writes the id of the scorer it is keyed for: ``kw.matched`` and
``tox.matched`` are the same label of two suites that name the same scorer differently."""


@dataclass(frozen=True)
class ScorerIdentity:
    """A scorer as one run configured it: what its verdicts vouch for, and nothing else."""

    name: str
    """Registry name (``offensive-language``)."""
    version: str | None
    """The scorer version the run recorded."""
    settings: str | None
    """Its parameters as the run recorded them (``with:`` and defaults), as canonical JSON;
    None where the run's summary records no version or parameters (an older run)."""
    label: str | None
    """The run's review label with this scorer's id written ``{scorer}``; None where the run
    has no review policy (no verdict was given on such a run)."""
    unrecorded_run: str | None = None
    """The run, where ``settings`` is None: settings nobody recorded cannot be shown to be
    another run's, so each such run is a configuration of its own."""

    def describe(self) -> str:
        """The configuration as words, for ``review agreement`` and the JSON views."""
        if self.settings is None:
            return (
                f"{self.name}: settings not recorded by run {self.unrecorded_run} (an older "
                "run), counted for that run alone"
            )
        return (
            f"{self.name} {self.version or '(no version)'} with {self.settings}, review "
            f"label {self.label}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "settings": None if self.settings is None else json.loads(self.settings),
            "label": self.label,
            "unrecorded_run": self.unrecorded_run,
        }


def review_label(summary: Mapping[str, Any]) -> Any:
    """The review label of a finished run (``review.policy.label`` of its summary), or None."""
    review = summary.get("review")
    policy = review.get("policy") if isinstance(review, Mapping) else None
    return policy.get("label") if isinstance(policy, Mapping) else None


def scorer_identity(
    scorer_id: str, info: Mapping[str, Any], label: Any, run_id: str
) -> ScorerIdentity:
    """The identity of scorer ``scorer_id`` of run ``run_id``, from its summary entry
    (``info``: name, version, params and what the scorer adds, as ``Scorer.describe`` records
    them, less what counts the run's own work: ``scorers.configured``, the rule ``compare``
    keeps too) and the run's review ``label``."""
    params, recorded = info.get("params"), "version" in info
    own = {k: v for k, v in configured(info).items() if k not in ("name", "version")}
    settings = (
        json.dumps(own, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        if isinstance(params, Mapping) and recorded
        else None
    )
    version = info.get("version")
    own_label = None
    if label is not None:
        text = label if isinstance(label, str) else json.dumps(label, sort_keys=True)
        own_label = re.sub(rf"(?<![\w.]){re.escape(scorer_id)}(?=\.[A-Za-z_])", OWN_ID, text)
    return ScorerIdentity(
        name=str(info.get("name")),
        version=None if version is None else str(version),
        settings=settings,
        label=own_label,
        unrecorded_run=None if settings is not None else run_id,
    )


def rate_figure(hits: int, n: int, on: str) -> Figure | None:
    """``hits / n`` with its Clopper-Pearson interval; None where nothing was counted."""
    if n == 0:
        return None
    low, high = clopper_pearson(hits, n)
    return Figure(value=hits / n, low=low, high=high, n=n, on=on, method="clopper-pearson")


GONE_NAMED = 3
"""How many gone runs a note names by id; the rest are counted."""


@dataclass(frozen=True)
class GoneRuns:
    """Verdicts not counted because their run's folder is gone (``rm -rf reports/<id>``, its
    row left in the index): a verdict is counted from its run's summary (the scorer settings,
    the review label, the target, the random QC share), which went with the folder. Passed
    over without a word, they left every figure reading a precision from fewer verdicts than
    were given, looking complete; every view of the figures says this instead. A purged run
    (``runs purge``) keeps its summary, so its verdicts still count and it is never here."""

    reports: Path = Path("reports")
    runs: dict[str, int] = field(default_factory=dict)
    """Labelled human verdicts not counted, by run id."""

    @property
    def verdicts(self) -> int:
        return sum(self.runs.values())

    def __bool__(self) -> bool:
        return self.verdicts > 0

    def text(self) -> str:
        """The note, or "" where nothing was left out."""
        if not self:
            return ""
        ids = sorted(self.runs)
        named = ", ".join(ids[:GONE_NAMED]) + (
            f" and {len(ids) - GONE_NAMED} more" if len(ids) > GONE_NAMED else ""
        )
        n, m = self.verdicts, len(ids)
        return (
            f"{n} human verdict{'s' if n != 1 else ''} on {m} run{'s' if m != 1 else ''} not "
            f"counted: the folder of run{'s' if m != 1 else ''} {named} is gone from "
            f"{self.reports}, and a verdict is counted from its run's summary.json; restore "
            f"{self.reports}/<run_id>/ from a copy ('assurance runs purge' is how a run is "
            "retired: it keeps the summary, so the run's verdicts still count)"
        )

    def left_out(self) -> str:
        """The line a view lists among the verdicts it did not count (as ``Unbacked``)."""
        return f"left out: {self.text()}"

    def to_dict(self) -> dict[str, Any] | None:
        if not self:
            return None
        return {"verdicts": self.verdicts, "runs": sorted(self.runs), "text": self.text()}


@dataclass(frozen=True)
class ReviewedValidity:
    """One scorer's figures against human labels on one target's runs (or every target's)."""

    scorer: str
    """Registry name (``offensive-language``)."""
    verdicts: int
    """Human verdicts with a label behind the figures."""
    counts: dict[str, int]
    """tp, fp, fn, tn of the scorer's label against the human label, every reviewed row."""
    sample_counts: dict[str, int]
    """The same over the rows of the random QC share only (what recall and specificity use)."""
    target: str | None = None
    """The target fingerprint the verdicts are scoped to; None where every target's runs count."""
    identity: ScorerIdentity | None = None
    """The scorer configuration the verdicts were given on (``ScorerIdentity``)."""
    repeats: int = 0
    """Reviewed rows not counted because they repeat a counted (case, answer)."""
    gone: GoneRuns = field(default_factory=GoneRuns)
    """Verdicts not counted because their run's folder is gone: which scorer they were given
    on cannot be read, so every figure of the store says it (``GoneRuns``)."""
    disputed: int = 0
    """Reviewed rows not counted because their reviewers' labels tie (no human label:
    ``store.reviews.majority``)."""

    def gone_text(self) -> str:
        """``; <the note>`` where verdicts on gone runs were not counted, else ""."""
        return f"; {self.gone.text()}" if self.gone else ""

    @property
    def scope(self) -> str:
        """Whose responses the verdicts were given on."""
        return "this target's runs" if self.target else "every target's runs"

    @property
    def on(self) -> str:
        """Whose verdicts the figures count, as the figures say it."""
        if self.target:
            return f"human verdicts on runs of target config {self.target}"
        return "human verdicts on every target's runs"

    @property
    def precision(self) -> Figure | None:
        return rate_figure(self.counts["tp"], self.counts["tp"] + self.counts["fp"], self.on)

    @property
    def recall(self) -> Figure | None:
        qc = self.sample_counts
        return rate_figure(qc["tp"], qc["tp"] + qc["fn"], self.on)

    @property
    def specificity(self) -> Figure | None:
        qc = self.sample_counts
        return rate_figure(qc["tn"], qc["tn"] + qc["fp"], self.on)

    def figure(self, name: str) -> Figure | None:
        """``precision``, ``recall`` or ``specificity``; None for any other name or where
        nothing was counted."""
        return getattr(self, name) if name in REVIEWED_FIGURES else None

    def counts_text(self, name: str) -> str:
        """The counts behind one figure: ``tp 1, fp 1 from 3 human verdicts``."""
        if name == "precision":
            tp, fp = self.counts["tp"], self.counts["fp"]
            return f"tp {tp}, fp {fp} from {self.verdicts} human verdicts"
        qc = self.sample_counts
        a, b = ("tp", "fn") if name == "recall" else ("tn", "fp")
        return f"{a} {qc[a]}, {b} {qc[b]} in the random QC share; {self.verdicts} human verdicts"

    def scorer_error(self) -> dict[str, Any] | None:
        """``scorer_error`` for a corrected rate (``metrics.aggregate.ScorerError``), from the
        random QC share; None until it has both kinds of row and beats chance."""
        recall, specificity = self.recall, self.specificity
        if recall is None or specificity is None or recall.value + specificity.value <= 1:
            return None
        return {
            "sensitivity": round(recall.value, 4),
            "positives": recall.n,
            "specificity": round(specificity.value, 4),
            "negatives": specificity.n,
        }

    def text(self) -> str:
        def figure(name: str, absent: str) -> str:
            fig = self.figure(name)
            if fig is None:
                return f"{name} – ({absent})"
            bounds = f" {interval(fig.low, fig.high)}" if fig.low is not None else ""
            return f"{name} {num(fig.value)}{bounds} (n={fig.n})"

        config = f" (config {self.target})" if self.target else ""
        unrecorded = (
            f"; scorer settings not recorded by run {self.identity.unrecorded_run} (an older "
            "run): its verdicts count for that run alone"
            if self.identity is not None and self.identity.settings is None
            else ""
        )
        return (
            f"reviewed on {self.scope}{config}: "
            + figure("precision", "no flagged row reviewed")
            + ", "
            + figure("recall", "needs reviewed rows of the random QC share, review.sample")
            + f" from {self.verdicts} human verdicts"
            + (
                f"; {self.repeats} rows repeating a reviewed (case, answer) counted once"
                if self.repeats
                else ""
            )
            + (
                f"; {self.disputed} reviewed row{'s' if self.disputed != 1 else ''} whose "
                "reviewers' labels tie not counted"
                if self.disputed
                else ""
            )
            + unrecorded
            + self.gone_text()
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scorer": self.scorer,
            "configuration": None if self.identity is None else self.identity.to_dict(),
            "verdicts": self.verdicts,
            "repeats": self.repeats,
            "disputed": self.disputed,
            "not_counted": self.gone.to_dict(),
            "target": self.target,
            "text": self.text(),
            "rates_method": "clopper-pearson",
            "counts": dict(self.counts),
            "sample_counts": dict(self.sample_counts),
            "scorer_error": self.scorer_error(),
        }
        for name in REVIEWED_FIGURES:
            fig = self.figure(name)
            out[name] = None if fig is None else fig.value
            out[f"{name}_ci"] = [None, None] if fig is None else [fig.low, fig.high]
            out[f"{name}_n"] = None if fig is None else fig.n
        return out


@dataclass(frozen=True)
class RunFigures:
    """The reviewed figures of one run's scorers, by scorer id: each the figures of that
    scorer's identity in the run, and where there are none, why (a gate says it in its line)."""

    figures: dict[str, ReviewedValidity] = field(default_factory=dict)
    why_none: dict[str, str] = field(default_factory=dict)

    def get(self, scorer_id: str) -> ReviewedValidity | None:
        return self.figures.get(scorer_id)


@dataclass(frozen=True, eq=False)
class ReviewedFigures(Mapping[ScorerIdentity, ReviewedValidity]):
    """Every scorer identity's figures (``reviewed_validity``): the one home the run report,
    the register annex, ``review agreement`` and ``min_validity`` read, each through
    ``for_run``/``for_summary`` so that a run is shown only its own configurations' figures."""

    by_identity: dict[ScorerIdentity, ReviewedValidity] = field(default_factory=dict)
    target: str | None = None
    gone: GoneRuns = field(default_factory=GoneRuns)
    """Verdicts not counted because their run's folder is gone (``GoneRuns``)."""

    def __getitem__(self, identity: ScorerIdentity) -> ReviewedValidity:
        return self.by_identity[identity]

    def __iter__(self) -> Iterator[ScorerIdentity]:
        return iter(self.by_identity)

    def __len__(self) -> int:
        return len(self.by_identity)

    def for_run(self, scorers: Mapping[str, Any], label: Any, run_id: str) -> RunFigures:
        """The figures of run ``run_id``'s scorers (``scorers``: its summary's entries, or the
        runner's descriptions of them before the summary is written; ``label``: its review
        label), each those of its own identity; where there are none, why."""
        scope = "this target's runs" if self.target else "every target's runs"
        figures: dict[str, ReviewedValidity] = {}
        why: dict[str, str] = {}
        for sid, info in scorers.items():
            if not isinstance(info, Mapping) or not info.get("name"):
                continue
            identity = scorer_identity(str(sid), info, label, run_id)
            found = self.by_identity.get(identity)
            if found is not None:
                figures[str(sid)] = found
                continue
            others = [r for i, r in self.by_identity.items() if i.name == identity.name]
            if not others:
                if self.gone and OWN_ID in (identity.label or ""):
                    # none counted, but those on gone runs may have been its (its run's review
                    # label reads it: no other scorer is given verdicts)
                    why[str(sid)] = (
                        f"no human verdicts counted on {identity.name} on {scope}; "
                        f"{self.gone.text()}"
                    )
                continue  # no verdict on this scorer at all: nothing to explain
            given = sum(r.verdicts for r in others)
            unrecorded = sum(
                r.verdicts for r in others if r.identity and r.identity.settings is None
            )
            because = (
                " (this run records no scorer settings: only verdicts on its own rows count)"
                if identity.settings is None
                else " (this run's suite has no review label)"
                if identity.label is None
                else ""
            )
            older = (
                f", {unrecorded} of them on runs that recorded no settings" if unrecorded else ""
            )
            why[str(sid)] = (
                f"no human verdicts on {identity.name} with this run's settings and review label "
                f"on {scope}{because}; {given} were given under other settings{older}"
                + (f"; {self.gone.text()}" if self.gone else "")
            )
        return RunFigures(figures, why)

    def for_summary(self, summary: Mapping[str, Any], run_id: str) -> RunFigures:
        """``for_run`` for a finished run, from its summary."""
        return self.for_run(named_scorers(summary), review_label(summary), run_id)


@dataclass(frozen=True)
class _RunReview:
    scorers: list[ScorerIdentity]
    """The identities of the scorers the run's review label reads."""
    sample: set[str]
    """Keys of the run's rows in the random QC share."""
    target: str | None
    """The fingerprint of the target the run evaluated."""


def _run_review(reports: Path, run_id: str) -> _RunReview | None:
    """What the run's review reads and samples, and its target; None for a run whose folder
    is gone (deleted by hand: its verdicts cannot be counted, and the caller says how many were
    not, ``GoneRuns``). A folder that is there but
    cannot be read (a summary.json cut short) is a UsageError naming it: passed over, its
    verdicts left every figure without a word, a precision from fewer rows than reviewed."""
    try:
        summary = read_run(reports / run_id).summary
    except HarnessError as exc:
        if not (reports / run_id).is_dir():
            return None
        raise UsageError(
            f"{exc}; the review verdicts given on run {run_id} cannot be counted in the "
            "scorers' reviewed figures (precision, recall, min_validity): restore its files "
            "from a copy"
        ) from None
    review = summary.get("review") or {}
    label = review_label(summary)
    scorers = named_scorers(summary)
    identities = (
        [
            scorer_identity(sid, scorers[sid], label, run_id)
            for sid in scorer_ids_in(label, [*scorers])
        ]
        if label
        else []
    )
    sample = {
        str(item.get("key"))
        for item in review.get("queue") or []
        if isinstance(item, dict) and QC_REASON in (item.get("reasons") or [])
    }
    target = (summary.get("target") or {}).get("fingerprint")
    return _RunReview(identities, sample, str(target) if target else None)


def reviewed_validity(
    reports: Path,
    db: Path | Database | None = None,
    *,
    target: str | None = None,
    leave_out: Collection[int] = (),
) -> ReviewedFigures:
    """Per scorer identity (name, version, settings, review label: ``ScorerIdentity``), its
    precision (and, from the random QC share, recall and specificity) against the human
    verdicts in the store (``reports/runs.db``, or the team store): those given on runs of the
    target with fingerprint ``target``, or every one when it is None; empty where there is no
    store yet (nothing is created to find that out). A view reads one run's figures through
    ``ReviewedFigures.for_run`` or ``for_summary``.

    ``leave_out``: ids of verdicts not to count. The views pass those the evidence ledger does
    not back (``review.backing.backed_validity``, above this layer): a verdict inserted in
    ``runs.db`` by hand must not raise the precision a gate's ``min_validity`` reads."""
    embedded = db if db is not None else reports / "runs.db"
    if not isinstance(embedded, Database) and not index_available(embedded):
        return ReviewedFigures({}, target)
    store = open_database(embedded)
    # Every command reading verdicts comes here (report, gates, the annex): a disk that failed
    # under runs.db is its storage fault, said once, not an internal error.
    with store_faults(store):
        standing = standing_verdicts(store, leave_out=leave_out)
        answers = answer_digests(store)
    by_scorer: dict[ScorerIdentity, dict[Any, dict[str, Verdict]]] = {}
    runs: dict[str, _RunReview | None] = {}
    sampled: set[tuple[str, str]] = set()
    gone: dict[str, int] = {}
    for (run_id, key), verdicts in standing.items():
        if run_id not in runs:
            runs[run_id] = _run_review(reports, run_id)
        run = runs[run_id]
        if run is None:
            labelled = sum(1 for v in verdicts.values() if v.label is not None)
            if labelled:
                gone[run_id] = gone.get(run_id, 0) + labelled
            continue
        if target is not None and run.target != target:
            continue
        if key in run.sample:
            sampled.add((run_id, key))
        for identity in run.scorers:
            by_scorer.setdefault(identity, {})[(run_id, key)] = verdicts
    if gone and target is not None:
        # A gone run the index places on another target would not have counted here anyway;
        # one it cannot place (no row, no fingerprint) might have, and is said.
        with store_faults(store):
            placed = indexed_targets(store)
        gone = {r: n for r, n in gone.items() if placed.get(r) in (None, target)}
    left = GoneRuns(reports, gone)
    out: dict[ScorerIdentity, ReviewedValidity] = {}
    for identity, every in sorted(by_scorer.items(), key=lambda item: _order(item[0])):
        rows = distinct_answers(every, answers)
        counts, reviewed = label_counts(rows)
        in_sample, _ = label_counts(
            distinct_answers({k: v for k, v in every.items() if k in sampled}, answers)
        )
        labelled = sum(1 for vs in rows.values() for v in vs.values() if v.label is not None)
        if reviewed:
            repeats = _labelled_rows(every) - _labelled_rows(rows)
            tied = sum(1 for verdicts in rows.values() if disputed(verdicts))
            out[identity] = ReviewedValidity(
                identity.name, labelled, counts, in_sample, target, identity, repeats, left, tied
            )
    return ReviewedFigures(out, target, left)


def _latest_label(verdicts: Mapping[str, Verdict]) -> int:
    """The id of a row's latest labelled verdict (-1 with none): which copy of a repeated
    answer stands."""
    return max((v.id for v in verdicts.values() if v.label is not None), default=-1)


def _labelled_rows(rows: Mapping[Any, Mapping[str, Verdict]]) -> int:
    return sum(1 for vs in rows.values() if _latest_label(vs) >= 0)


def distinct_answers(
    rows: Mapping[tuple[str, str], dict[str, Verdict]],
    answers: Mapping[tuple[str, str], str | None],
) -> dict[tuple[str, str], dict[str, Verdict]]:
    """``rows`` (one scorer configuration's), one per distinct (case, answer): the same
    answer reviewed in several runs (replayed by the response cache, or given again by a
    deterministic target), or in several samples of a run, is one piece of evidence, not
    several that narrow the interval. The copy whose latest labelled verdict is newest stands
    for the answer, with every reviewer's latest verdict on any copy (one vote each): with
    only its own reviewers, the copy with the newest verdict outvoted the others' reviewers,
    and a reviewer saving a verdict again on another copy turned the label back.
    ``answers``: each row's digest of prompt and response (``store.reviews.answer_digests``);
    where a purge took a row's text (None, or no queued row), it cannot be told apart from
    another answer to its case, so every reviewed row of that case counts once together:
    under-counting distinct answers is the error that keeps the interval honest."""
    by_case: dict[str, list[tuple[str, str]]] = {}
    for run_id, key in rows:
        by_case.setdefault(split_case_key(key)[0], []).append((run_id, key))
    kept: dict[tuple[str, str], dict[str, Verdict]] = {}
    for copies in by_case.values():
        groups: dict[str | None, list[tuple[str, str]]] = {}
        if any(answers.get(row) is None for row in copies):
            groups[None] = copies
        else:
            for row in copies:
                groups.setdefault(answers[row], []).append(row)
        for group in groups.values():
            standing = max(group, key=lambda row: (_latest_label(rows[row]), row))
            votes: dict[str, Verdict] = {}
            for row in group:
                for reviewer, verdict in rows[row].items():
                    if reviewer not in votes or verdict.id > votes[reviewer].id:
                        votes[reviewer] = verdict
            kept[standing] = votes
    return kept


def _order(identity: ScorerIdentity) -> tuple[str, ...]:
    """Identities by name, then configuration: the order ``review agreement`` lists them."""
    return (
        identity.name,
        identity.version or "",
        identity.settings or "",
        identity.label or "",
        identity.unrecorded_run or "",
    )
