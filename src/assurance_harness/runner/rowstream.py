"""Score, measure and store a run's rows chunk by chunk, so its memory does not grow with it.

Responses are read from the journal in request order (``JournalIndex``), a chunk at a time:
each chunk becomes rows, is scored (every scorer, in order), redacted under the privacy policy
and appended to ``results.jsonl`` while its SHA-256 is computed, then dropped. What is kept
across chunks: the run's counts, and what the metrics and gates read of each row: compact
columns of numbers (``metrics.columns``: about 10 bytes a row per expression) when every metric
kind supports them, else a slim copy of each row (``SlimRows``: keys, error, metadata,
expectations and scores; the prompt, messages and response text only when an expression reads
them); and a review policy's marks of each row (``review.queuecolumns``: 9 bytes a row, on
disk). A suite with a run-scope scorer (``consistency`` compares a response with its
perturbations) is scored in one chunk.

The bytes written equal those of scoring every row at once (tests/runner/test_rowstream.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..datatypes import Case, ResponseRecord
from ..formatting.figures import incomplete_meaning
from ..privacy.stored import stored_copy
from ..rowkeys import case_key
from ..spec.caselist import CaseList
from ..store.journalindex import JournalIndex
from ..store.runlog import ResultsStream
from .executors.base import ScoringSession

Row = dict[str, Any]
CHUNK_ROWS = 5000
"""Rows per chunk: large enough for scorers' batches and Ray's shards, small enough that a
chunk's rows (a few kB each) stay in the tens of MB."""


SLIM_KEYS = ("case_id", "sample", "error", "metadata", "expected", "scores")
TEXT_KEYS = ("prompt", "response", "messages")


class RowSink(Protocol):
    """What keeps the rows' part the metrics read: ``SlimRows`` or, for the metric kinds that
    can, compact columns (``metrics.columns.MetricColumns``)."""

    def add(self, rows: list[Row]) -> None: ...


class RowSinks:
    """Several sinks fed the same rows: the metrics' and the review policy's
    (``review.queuecolumns``)."""

    def __init__(self, *sinks: RowSink) -> None:
        self.sinks = sinks

    def add(self, rows: list[Row]) -> None:
        for sink in self.sinks:
            sink.add(rows)


class SlimRows:
    """What metrics and gates read of each row, without its text, for a suite with a metric
    kind that has no columnar form (none of the built-in kinds now; a plugin's): the kind may
    compare rows with each other and a failing gate names its worst rows, so each row's scores
    stay; the prompt and the response (most of a row's bytes) stay only when an expression
    names them."""

    def __init__(self, expressions: str) -> None:
        self.keys = SLIM_KEYS + tuple(
            k for k in TEXT_KEYS if re.search(rf"(?<![\w.]){k}(?!\w)", expressions)
        )
        self.rows: list[Row] = []

    def add(self, rows: list[Row]) -> None:
        self.rows.extend({k: row[k] for k in self.keys if k in row} for row in rows)


@dataclass
class RowTotals:
    """What a streamed run keeps of its rows."""

    rows: int = 0
    errors: int = 0
    cached: int = 0
    errors_by_type: dict[str, int] = field(default_factory=dict)
    model_versions: set[str] = field(default_factory=set)
    redacted: Counter[str] | None = None
    """Spans replaced by type, when the privacy policy redacts."""
    privacy_info: dict[str, Any] | None = None
    results_sha256: str = ""
    from_runs: dict[str, int] = field(default_factory=dict)
    """Answers that came from the response cache, by the run that measured them."""
    finish_reasons: dict[str, int] = field(default_factory=dict)
    """Answers by the finish reason their target reported (``length``: cut off)."""
    empty: int = 0
    """Answers that are empty or only whitespace: scored as they came, an empty answer passes
    every gate on what a model said, so the run warns of them (``empty_answers_warning``)."""
    empty_keys: list[str] = field(default_factory=list)
    """The first ``EMPTY_KEYS_SHOWN`` of them (``case_id#sample``), in request order."""


def _chunk_cases(cases: Sequence[Case], start: int, stop: int, samples: int) -> list[Case]:
    """The case of each request position from ``start`` to ``stop`` (``samples`` a case),
    each case read once (a list on disk: in one read)."""
    first, last = start // samples, (stop - 1) // samples + 1
    if isinstance(cases, CaseList):
        unique = cases.between(first, last)
    else:
        unique = [cases[i] for i in range(first, last)]
    if samples == 1:
        return unique
    return [unique[position // samples - first] for position in range(start, stop)]


def stream_rows(
    *,
    index: JournalIndex,
    cases: Sequence[Case],
    samples: int,
    make_row: Callable[[Case, ResponseRecord], Row],
    scoring: ScoringSession,
    metrics: RowSink,
    privacy_policy: Any,
    results: ResultsStream,
    keep: tuple[str, ...] = (),
    chunk_rows: int = CHUNK_ROWS,
) -> RowTotals:
    """Every request's row, in request order, through scoring, metrics and the results file;
    stored redacted under ``privacy_policy``, ``keep`` (the target's endpoint) as written."""
    total = len(cases) * samples
    totals = RowTotals()
    errors_by_type: Counter[str] = Counter()
    from_runs: Counter[str] = Counter()
    finish_reasons: Counter[str] = Counter()
    try:
        for start in range(0, total, max(1, chunk_rows)):
            stop = min(total, start + max(1, chunk_rows))
            records = index.read(start, stop)
            chunk = _chunk_cases(cases, start, stop, samples)
            rows = [make_row(case, record) for case, record in zip(chunk, records, strict=True)]
            # The chunk's cases only: a run of a million cases never maps them all at once.
            by_id: Mapping[str, Case] = {c.id: c for c in chunk}
            scoring.score(rows, by_id)
            metrics.add(rows)
            stored, info = stored_copy(rows, privacy_policy, keep)
            results.write(stored)
            totals.rows += len(rows)
            from_runs.update(r.cached_from or "unknown" for r in records if r.cached)
            for row in rows:
                if row["error"] is not None:
                    totals.errors += 1
                    errors_by_type[row["error"]["type"]] += 1
                else:
                    if "finish_reason" in row:  # counted from the rows: as summary_check does
                        finish_reasons[row["finish_reason"]] += 1
                    # A blank the endpoint did not complete (a filter's, in any provider's
                    # spelling: Gemini SAFETY; or cut at max_tokens before any text) is named
                    # by the "not complete:" line with its own hint; the warning's (check the
                    # target returns the model's text) would not fit it.
                    ended = incomplete_meaning(row.get("finish_reason")) is None
                    response = row["response"]
                    if isinstance(response, str) and not response.strip() and ended:
                        totals.empty += 1
                        if len(totals.empty_keys) < EMPTY_KEYS_SHOWN:
                            totals.empty_keys.append(case_key(row["case_id"], row["sample"]))
                totals.cached += bool(row["cached"])
                if row.get("model_version"):
                    totals.model_versions.add(row["model_version"])
            if info is not None:
                totals.redacted = (totals.redacted or Counter()) + Counter(info["redacted"])
                totals.privacy_info = info
    except BaseException:
        results.abort()
        raise
    if total == 0:  # no chunk ran: still say which policy the (empty) files are under
        totals.privacy_info = stored_copy([], privacy_policy)[1]
    totals.results_sha256 = results.close()
    totals.errors_by_type = dict(errors_by_type)
    totals.from_runs = dict(from_runs)
    totals.finish_reasons = dict(finish_reasons)
    if totals.privacy_info is not None:
        counts = totals.redacted or Counter()
        totals.privacy_info["redacted"] = dict(sorted(counts.items()))
    return totals


EMPTY_KEYS_SHOWN = 5
"""How many empty answers the warning names by key; the rest are counted."""


def empty_answers_warning(totals: RowTotals) -> str | None:
    """``2 of 3 answers were empty text ...`` where any answer was empty or only whitespace,
    naming the first few; None where none was. An endpoint answering "" (a broken chat
    template, a filter that blanks its output) passed every toxicity and age gate with nothing
    anywhere saying so: the figures are of empty answers, which the run cannot tell from a
    deployment's considered silence, so it says so beside the verdicts, not in place of them.
    It names what an empty answer counts as on both sides: harmless to a harm scorer, unread by
    the refusal scorer (v9; v8 called it a refusal, so an endpoint answering "" passed a
    baseline-refusal gate), so refusal rates, flip rates and attack successes leave it out and
    count it beside n."""
    if not totals.empty:
        return None
    answers = totals.rows - totals.errors
    named = ", ".join(totals.empty_keys)
    more = (
        f" and {totals.empty - len(totals.empty_keys)} more"
        if totals.empty > len(totals.empty_keys)
        else ""
    )
    return (
        f"{totals.empty} of {answers} answers were empty text ({named}{more}), scored as they "
        "came: a rate of harmful answers counts them as harmless; the refusal scorer leaves "
        "them unread, so they are left out of refusal rates and robustness flips (counted "
        "beside n); check the target returns the model's text (a response path, a chat "
        "template)"
    )
