"""A run's figures with the reviews in: the human label joins each reviewed row
(``human.label``), metrics are recomputed, and gates that require review wait for it.

The run's own files are never rewritten (their hashes are evidence); this is the live,
review-aware reading the web app and ``assurance review status`` show.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, RunFailedError, UsageError
from ..store.reviews import Verdict, consensus, disputed, majority
from ..store.runread import RunLog, read_run
from .outstanding import required_keys
from .store import ReviewStore

__all__ = [
    "ReviewedRun",
    "consensus",
    "labelled",
    "labels_of",
    "measured_with_reviews",
    "reviewed_run",
]


@dataclass
class ReviewedRun:
    run: RunLog
    metrics: dict[str, dict[str, Any]]
    gates: list[dict[str, Any]]
    outstanding: list[str]
    """Rows that must be reviewed and have no verdict yet, or only verdicts that tie."""
    reviewed: int
    verdicts: dict[str, dict[str, Verdict]] = field(default_factory=dict)
    disputed: list[str] = field(default_factory=list)
    """Reviewed rows whose reviewers' labels tie (``store.reviews.majority``): no human label
    until another reviewer's verdict settles them."""

    def iter_rows(self) -> Iterator[dict[str, Any]]:
        """The run's result rows, read again as a stream, with ``human`` added where a person
        gave a verdict: never all in memory (a reviewed 100,000-case run held whole took the
        web app's page to 608 MB)."""
        return labelled(self.run.iter_results(), labels_of(self.verdicts))


Labels = Mapping[str, Mapping[str, bool | None]]
"""Row key -> reviewer -> that reviewer's standing label (None: none given)."""


def labels_of(verdicts: Mapping[str, Mapping[str, Verdict]]) -> dict[str, dict[str, bool | None]]:
    """The standing verdicts' labels (``store.current``'s, by row key) as :data:`Labels`."""
    return {key: {who: v.label for who, v in by.items()} for key, by in verdicts.items()}


def labelled(rows: Iterable[dict[str, Any]], labels: Labels) -> Iterator[dict[str, Any]]:
    """``rows`` with ``human`` ({label, reviewed, reviewers}) added to each reviewed one (in
    place: the rows are freshly read for this view); ``label`` is the majority of the
    reviewers' labels (``store.reviews.majority``), None where they tie."""
    for row in rows:
        key = f"{row.get('case_id')}#{row.get('sample', 0)}"
        if key in labels:
            given = [label for label in labels[key].values() if label is not None]
            row["human"] = {
                "label": majority(given),
                "reviewed": True,
                "reviewers": sorted(labels[key]),
            }
        yield row


def ledger_checked_run(run_dir: Path, ledger: Path) -> RunLog:
    """The run at ``run_dir``, told the hashes its evidence in ``ledger`` holds
    (``register.ledger_hashes.note_ledger_hashes``), so that its ``summary_changed`` and
    ``results_changed`` refuse a file edited with its manifest.json rewritten to match, as
    ``compare`` does: checked against the manifest alone, such a summary's gate rules and
    review queue were measured again as the run's."""
    from ..register.ledger_hashes import ledger_run_hashes, note_ledger_hashes

    return note_ledger_hashes(read_run(run_dir), ledger_run_hashes(ledger))


def reviewed_run(run_dir: Path, store: ReviewStore, *, run: RunLog | None = None) -> ReviewedRun:
    """The run measured again over its rows with the reviews in, streamed (the metrics'
    columns, as the runner and ``evidence attach`` measure it).

    ``run``: the folder as the caller has just read it (the web app's run page), rather than
    read again: a second copy of a 100,000-case run's summary.json (17 MB of objects: it lists
    every queued row) was held while the metrics were measured. Its rows must not have been
    read whole (``rows()``): ``human`` is added to the rows streamed here."""
    run = read_run(run_dir) if run is None else run
    verdicts = {key: by_reviewer for (_, key), by_reviewer in store.current(run.run_id).items()}
    tied = sorted(k for k, by_reviewer in verdicts.items() if disputed(by_reviewer))
    # A disputed row has no human label: it waits, as one nobody reviewed.
    outstanding = [k for k in required_keys(run.summary) if k not in verdicts or k in tied]
    values, gates = measured_with_reviews(run, labels_of(verdicts), outstanding=outstanding)
    return ReviewedRun(
        run=run,
        metrics=values,
        gates=gates,
        outstanding=outstanding,
        reviewed=len(verdicts),
        verdicts=verdicts,
        disputed=tied,
    )


def measured_with_reviews(
    run: RunLog, labels: Labels, *, outstanding: Collection[str]
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """``run``'s metrics (as dicts) and gates measured again over its rows streamed, with
    ``labels`` as ``human.label``: what the run page, ``review status`` and the register read
    for a run whose gates wait for review. A gate that requires review and passes is
    ``awaiting_review`` while ``outstanding`` (rows still without a human label) is not empty.
    A RunFailedError where summary.json or results.jsonl is not as the run wrote it."""
    from ..spec.recorded import measure_stream, recorded_specs

    edited = run.summary_changed()
    if edited is not None:
        # The gate rules, metric specs and review queue measured with below are summary.json's:
        # an edited one would be judged and shown as the run's.
        raise RunFailedError(f"{edited}; its gates cannot be measured again with the reviews")
    try:
        specs = recorded_specs(run.summary)
    except ConfigError as exc:
        raise UsageError(f"{run.run_dir}: its metrics cannot be recomputed: {exc}") from None
    samples = max(1, int(run.summary.get("samples") or 1))
    measured = measure_stream(specs, labelled(run.iter_results(), labels), samples=samples)
    changed = run.results_changed()  # the hash came with the pass just made
    if changed is not None:
        # Measured again over rows the run did not write, its gates would read as the run's.
        raise RunFailedError(f"{changed}; its gates cannot be measured again with the reviews")
    gates = []
    for recorded, gate in zip(run.gates, measured.gates, strict=True):
        # The scorer's validity was judged when the run finished (min_validity); human
        # labels change the metric, not that: a gate that failed on it stays failed.
        for name in ("validity_unmet", "validity_checked"):
            if name in recorded:
                gate[name] = recorded[name]
        if recorded.get("validity_unmet") and gate["verdict"] == "pass":
            gate["verdict"] = "fail"
        if recorded.get("require_reviewed"):
            gate["require_reviewed"] = True
            if gate["verdict"] == "pass" and outstanding:
                gate["verdict"] = "awaiting_review"
        gates.append(gate)
    return {mid: v.to_dict() for mid, v in measured.values.items()}, gates
