"""The view of a run that every report format renders: verdicts, figures, worst cases.

Built once from the run directory so HTML, Markdown, JSON and JUnit say the same thing. Values
stay raw here (text is escaped by each format's own renderer, never before).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..formatting import (
    bound,
    coverage_notes,
    failing_groups_text,
    gate_level,
    group_name,
    incomplete_line,
    interval,
    interval_note,
    labelled_interval,
    level,
    no_case_text,
    num,
    num_beside,
    recorded_level,
    row_incomplete,
    threshold,
    when,
)
from ..metrics.engine import failing_group_figures, no_data_reason, overall_label
from ..store.runread import row_key
from .rundata import RunData

if TYPE_CHECKING:
    from ..review.backing import Unbacked
    from ..scorers.reviewed import RunFigures

MAX_WORST_PER_GATE = 10
MAX_WORST_TOTAL = 40
MAX_ERRORS = 10


def anchor(key: str) -> str:
    """A safe HTML id for a case key (ids may hold any character)."""
    return "case-" + "".join(c if c.isalnum() else f"_{ord(c):x}_" for c in key)


@dataclass
class GateView:
    id: str
    metric: str
    verdict: str
    threshold: str
    bound: str
    checked: str
    value: str
    interval: str
    n: str
    failing_groups: list[str]
    worst_cases: list[str]
    raw: dict[str, Any]
    validity: list[dict[str, Any]] = field(default_factory=list)
    """Validity cards of the scorers the gate's metric reads (``scorers/validity.py``), each
    with ``reviewed`` (``scorers/reviewed.py``) where human verdicts measured the scorer."""
    group_figures: list[dict[str, str]] = field(default_factory=list)
    """Each failing group's own value, interval and n (shown beside the overall figures)."""
    overall_label: str = "overall"
    """What the gate's own figure is (``metrics.engine.overall_label``), shown before it beside
    group figures, and on its own where it is not "overall" (a paired delta's furthest group)."""
    no_data_reason: str = ""
    """Why the gate had no data, when it had none."""
    failing_text: str = ""
    """The failing groups as one phrase, those without a figure on the gate's bound named
    apart (``formatting.failing_groups_text``); empty where none failed."""
    notes: list[str] = field(default_factory=list)
    """What its metric's figures leave out (``formatting.coverage_notes``)."""
    no_case_text: str = ""
    """For a failed gate whose failing groups name no worst case, that said of those groups
    (``formatting.no_case_text``); else empty."""


@dataclass
class MetricView:
    id: str
    kind: str
    value: str
    interval: str
    n: str
    confidence: str
    labelled_interval: str
    """``interval`` with ``confidence`` in front, for tables without a Confidence column
    (report.md), where a 0.999 interval alone read as a 95% one."""
    method: str
    description: str
    skipped: str
    groups: list[dict[str, str]]
    raw: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    """What the figures leave out (``formatting.coverage_notes``)."""


@dataclass
class CaseView:
    key: str
    anchor: str
    case_id: str
    sample: int
    gates: list[str]
    prompt: str | None
    messages: list[dict[str, Any]] | None
    response: str | None
    error: dict[str, Any] | None
    scores_text: str
    score_items: list[tuple[str, str]]
    """``(scorer.field, value)`` pairs, nested fields dotted: what the worst-case tables show."""
    metadata_json: str
    expected_json: str
    counterparts: list[tuple[str, str, str]] = field(default_factory=list)
    """For a counterfactual case: ``(group, response, scores)`` of the other groups' answers to
    the same template (same axis and sample), to read side by side."""
    incomplete: str | None = None
    """``not complete (length): ...`` when the row records that its endpoint did not complete
    the answer (cut off at max_tokens, cut by a filter): shown beside the text, which would
    otherwise read as the model's whole answer."""


SKIPPED_EFFECT = (
    "The worst cases, failed requests and plots here leave those lines out; the figures are "
    "the run's own, from summary.json."
)
"""What skipped results lines change in a report, said beside the note in every format."""

CHANGED_EFFECT = (
    "The figures are the run's own, from summary.json; the worst cases, failed requests and "
    "plots here come from the rows as they are now, which are not all the run wrote."
)
"""What a results file changed since the run changes in a report, said beside its note."""


@dataclass
class ReportContext:
    run: RunData
    run_id: str
    status: str
    suite: dict[str, Any]
    target: dict[str, Any]
    counts: dict[str, Any]
    gates: list[GateView]
    metrics: list[MetricView]
    worst_cases: list[CaseView]
    missing_cases: list[str]
    errors: list[CaseView]
    scorers: dict[str, Any]
    manifest: dict[str, Any] | None
    manifest_json: str
    started_at: str
    finished_at: str
    results_path: str
    gates_passed: int = 0
    gates_failed: int = 0
    gates_no_data: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    sent: list[tuple[str, str]] = field(default_factory=list)
    """(label, text): what the target was actually sent and where the answers came from
    (``sent_lines``), shown in every format's run details."""
    skipped_lines: list[int] = field(default_factory=list)
    """Lines of results.jsonl skipped as no result row (``RunLog.skipped_results``)."""
    skipped_note: str | None = None
    """The one line every format shows when lines were skipped (``RunLog.skipped_note``)."""
    changed_note: str | None = None
    """The one line every format shows when results.jsonl is not the file the manifest
    records (``RunLog.results_changed``: cut short at a line boundary, it skips no line) or is
    not there (``RunLog.results_missing``)."""
    summary_changed_note: str | None = None
    """The one line every format shows when summary.json is not the file the manifest records
    (``RunLog.summary_changed``): everything a report shows as the run's comes from it."""
    manifest_missing_note: str | None = None
    """The one line every format shows when the run has no manifest.json
    (``RunLog.manifest_missing``): nothing checks its summary or rows, so it is no evidence."""
    reviews_left_out: list[str] = field(default_factory=list)
    """Review verdicts the scorers' reviewed figures did not count (in ``runs.db``, not in the
    evidence ledger: ``review.backing``), a line each, shown beside the validity cards."""
    shown_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The result rows of every gate's worst cases, by ``case_id#sample``: all of the run's
    rows a format may show (read once, streamed; never the whole run)."""

    @property
    def no_worst_text(self) -> str:
        """What the worst-cases section says where it shows no case: that no gate failed, or
        that the failing gates name none (a disparity's), for those the per-gate line
        (``GateView.no_case_text``) does not explain; empty where it explains them all. It
        read "The failing gates name no individual cases (for example a disparity between
        groups)" beside that line, two reasons for one gate, the generic one wrong."""
        if not self.gates_failed:
            return "No gate failed, so there are no worst cases to show."
        unexplained = [g for g in self.gates if g.verdict == "fail" and not g.no_case_text]
        if not unexplained:
            return ""
        which = (
            "The other failing gates"
            if len(unexplained) < self.gates_failed
            else "The failing gates"
        )
        return (
            f"{which} name no individual cases (for example a disparity between groups); see "
            "the per-group figures above."
        )


def sent_lines(manifest: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The merged generation parameters with the file that set each (and what the suite
    overrode), the system prompt's hash, and how many answers came from the response cache and
    from which runs. Empty for runs made before these were recorded (the caller says so)."""
    if not manifest:
        return []
    out: list[tuple[str, str]] = []
    generation = manifest.get("generation")
    if isinstance(generation, dict):
        params = generation.get("params") or {}
        set_by = generation.get("set_by") or {}
        overridden = generation.get("overridden") or {}
        parts = []
        for name, value in sorted(params.items()):
            text = f"{name}={json.dumps(value, ensure_ascii=False)} ({set_by.get(name, '?')}"
            for where, old in (overridden.get(name) or {}).items():
                text += f"; overrides {json.dumps(old, ensure_ascii=False)} from {where}"
            parts.append(text + ")")
        out.append(("Generation sent", "; ".join(parts) or "no parameters (the endpoint's own)"))
        if generation.get("seed"):
            out.append(("Seed", str(generation["seed"])))
        prompt = generation.get("system_prompt")
        out.append(
            (
                "System prompt",
                f"SHA-256 {prompt.get('sha256')} (from {prompt.get('set_by')})"
                if isinstance(prompt, dict)
                else "none (only the cases' own turns)",
            )
        )
    cache = manifest.get("cache")
    if isinstance(cache, dict):
        cached, total = int(cache.get("cached") or 0), int(cache.get("requests") or 0)
        sources = ", ".join(
            f"{run} ({n})" for run, n in sorted((cache.get("from_runs") or {}).items())
        )
        read = "read" if cache.get("read") else "not read"
        text = f"{cached} of {total} answers came from the response cache ({read} by this run)"
        out.append(("Cache", text + (f"; measured by {sources}" if sources else "")))
    return out


def _incomplete(counts: Any) -> list[tuple[str, str]]:
    """The run details' line on answers scored though their endpoint cut them off, if any."""
    line = incomplete_line(counts) if isinstance(counts, dict) else None
    return [("Answers", line)] if line else []


def _retries(retries: Any) -> list[tuple[str, str]]:
    """The run details' line for each ``--retry-errors`` of the run (summary.json's
    ``retries``): its counts are of each request's latest answer, some of them sent again after
    the run's first pass, which "errors 0" alone showed as a clean run. None for a run never
    retried, or one written before retries were recorded."""
    if not isinstance(retries, list):
        return []
    out = []
    for retry in retries:
        if not isinstance(retry, dict):
            continue
        text = (
            f"retried {retry.get('requests')} errored requests (--retry-errors) at "
            f"{when(retry.get('started_at'))}: {retry.get('answered')} answered, "
            f"{retry.get('errors')} errors"
        )
        if retry.get("stopped"):
            text += f"; stopped: {retry['stopped']}"
        out.append(("Retry", text + "; the figures count each request's latest answer"))
    return out


def _warnings(warnings: Any) -> list[tuple[str, str]]:
    """The run details' lines for the run's warnings (summary.json's ``warnings``: what the
    terminal said as ``warning:``, such as a replay recording's records that answer no case);
    none for a run without, or one written before they were recorded."""
    if not isinstance(warnings, list):
        return []
    return [("Warning", str(w)) for w in warnings if w]


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def _compact_scores(scores: dict[str, Any]) -> str:
    """One line per scorer (``tox: {"toxicity": 0.93}``): short enough to scan many cases."""
    if not scores:
        return "(not scored)"
    return "\n".join(
        f"{sid}: {json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)}"
        for sid, fields in sorted(scores.items())
    )


def _score_text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list):
        return "; ".join(_score_text(v) for v in value) or "–"
    return str(value)


def flat_scores(scores: dict[str, Any]) -> list[tuple[str, str]]:
    """Every score field as ``(scorer.field, readable value)``, nested dicts dotted, sorted."""
    out: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for key, inner in value.items():
                walk(f"{prefix}.{key}", inner)
        else:
            out.append((prefix, _score_text(value)))

    for sid, fields in scores.items():
        walk(str(sid), fields)
    return sorted(out)


def _counterfactual_cell(row: dict[str, Any]) -> tuple[Any, Any, Any] | None:
    """(template, axis, sample): the answers a counterfactual case is read beside; None for a
    row that is no counterfactual case."""
    meta = row.get("metadata") or {}
    template, axis = meta.get("template"), meta.get("axis")
    if template is None or axis is None:
        return None
    return template, axis, row.get("sample")


def _counterparts(
    worst: list[CaseView], rows_of: dict[str, dict[str, Any]], rows: Iterable[dict[str, Any]]
) -> None:
    """Fill each counterfactual worst case's ``counterparts``: ``(group, response, scores)`` of
    every other row with its template, axis and sample, in one pass over ``rows`` (a stream:
    a report never holds the run's rows)."""
    wanted: dict[tuple[Any, Any, Any], list[CaseView]] = {}
    for view in worst:
        cell = _counterfactual_cell(rows_of[view.key])
        if cell is not None:
            wanted.setdefault(cell, []).append(view)
    if not wanted:
        return
    found: dict[str, list[tuple[str, str, str]]] = {
        view.key: [] for views in wanted.values() for view in views
    }
    for other in rows:
        cell = _counterfactual_cell(other)
        views = wanted.get(cell) if cell is not None else None
        if not views:
            continue
        key = row_key(other)
        scores = "; ".join(f"{n} {v}" for n, v in flat_scores(other.get("scores") or {})[:6])
        response = other.get("response")
        if other.get("error") is not None:
            response = f"error: {(other.get('error') or {}).get('type')}"
        group = str((other.get("metadata") or {}).get("group"))
        for view in views:
            if key != view.key:  # the worst case itself
                found[view.key].append((group, "" if response is None else str(response), scores))
    for views in wanted.values():
        for view in views:
            view.counterparts = sorted(found[view.key])


def _case_view(row: dict[str, Any], gates: list[str]) -> CaseView:
    key = row_key(row)
    return CaseView(
        key=key,
        anchor=anchor(key),
        case_id=str(row.get("case_id")),
        sample=int(row.get("sample") or 0),
        gates=gates,
        prompt=row.get("prompt"),
        messages=row.get("messages") if isinstance(row.get("messages"), list) else None,
        response=row.get("response"),
        error=row.get("error"),
        incomplete=row_incomplete(row),
        scores_text=_compact_scores(row.get("scores") or {}),
        score_items=flat_scores(row.get("scores") or {}),
        metadata_json=_json(row.get("metadata") or {}),
        expected_json=_json(
            {k: v for k, v in (row.get("expected") or {}).items() if v not in (None, [], {})}
        ),
    )


def _validity(
    gate: dict[str, Any], summary: dict[str, Any], reviewed: RunFigures
) -> list[dict[str, Any]]:
    """The cards behind a gate, each with the scorer's figures against the human
    verdicts beside it (``reviewed``, by scorer id: the scorer configured as in this run)
    where people have reviewed its label."""
    from ..scorers.validity import gate_validity

    cards = gate_validity(gate, summary)
    for card in cards:
        mine = reviewed.get(str(card.get("id")))
        if mine is not None:
            card["reviewed"] = mine.to_dict()
    return cards


def build_context(run: RunData) -> ReportContext:
    from ..review.backing import backed_validity
    from ..scorers.reviewed import RunFigures

    summary = run.summary
    # Human verdicts live beside the run index of the reports folder the run sits in; only
    # those given on runs of this run's target, and held by its evidence ledger, speak for its
    # scorers here.
    fingerprint = (summary.get("target") or {}).get("fingerprint")
    scope = str(fingerprint) if fingerprint else None
    reviewed = RunFigures()
    unbacked: list[Unbacked] = []
    gone: list[str] = []
    if run.gates:
        figures, unbacked = backed_validity(run.run_dir.parent, target=scope)
        reviewed = figures.for_summary(summary, run.run_id)
        gone = [figures.gone.left_out()] if figures.gone else []
    gate_views: list[GateView] = []
    wanted: dict[str, list[str]] = {}
    for gate in run.gates:
        gate_id = str(gate.get("id") or gate.get("metric"))
        worst_keys = [str(k) for k in (gate.get("worst_cases") or [])]
        if gate.get("verdict") == "fail":
            for key in worst_keys[:MAX_WORST_PER_GATE]:
                if key in wanted or len(wanted) < MAX_WORST_TOTAL:
                    wanted.setdefault(key, []).append(gate_id)
        gate_views.append(
            GateView(
                id=gate_id,
                metric=str(gate.get("metric")),
                verdict=str(gate.get("verdict") or "unknown"),
                threshold=threshold(gate),
                bound=bound(gate),
                checked=num_beside(gate.get("checked"), gate),
                value=num_beside(gate.get("value"), gate),
                # at its metric's level: a gate's record holds none, and report.md and JUnit
                # have no Confidence column beside it
                interval=labelled_interval(
                    gate.get("ci_low"),
                    gate.get("ci_high"),
                    gate_level(gate, run.metrics),
                    beside=gate,
                ),
                n=num(gate.get("n")),
                failing_groups=[group_name(g) for g in (gate.get("failing_groups") or [])],
                worst_cases=worst_keys,
                raw=gate,
                validity=_validity(gate, summary, reviewed),
                group_figures=[
                    {
                        "name": group_name(f["name"]),
                        "value": num_beside(f["value"], gate),
                        "interval": interval(f["ci_low"], f["ci_high"], beside=gate),
                        "n": num(f["n"]),
                    }
                    for f in failing_group_figures(gate, run.metrics.get(str(gate.get("metric"))))
                ],
                no_data_reason=no_data_reason(gate, run.metrics.get(str(gate.get("metric")))) or "",
                failing_text=failing_groups_text(gate),
                no_case_text=no_case_text(gate),
                overall_label=overall_label(run.metrics.get(str(gate.get("metric")))),
                notes=coverage_notes(run.metrics.get(str(gate.get("metric"))))
                + _interval_notes(gate, run.metrics.get(str(gate.get("metric")))),
            )
        )

    metric_views: list[MetricView] = []
    for metric_id, metric in run.metrics.items():
        # Each failing group beside the first gate it failed: its digits must not read as
        # that gate's limit (``num_beside``).
        failing: dict[str, dict[str, Any]] = {}
        for gate in run.gates:
            if gate.get("metric") == metric_id:
                for g in gate.get("failing_groups") or []:
                    failing.setdefault(str(g), gate)
        groups = []
        for name, value in (metric.get("groups") or {}).items():
            if isinstance(value, dict):
                beside = failing.get(str(name))
                figure = value.get("value")
                groups.append(
                    {
                        "failing": "fail" if beside is not None else "",
                        "name": group_name(name),
                        "value": num(figure) if beside is None else num_beside(figure, beside),
                        "interval": interval(
                            value.get("ci_low"), value.get("ci_high"), beside=beside
                        ),
                        "n": num(value.get("n")),
                    }
                )
        details = metric.get("details") or {}
        confidence = recorded_level(metric.get("confidence"))
        metric_views.append(
            MetricView(
                id=str(metric_id),
                kind=str(metric.get("kind") or "–"),
                value=num(metric.get("value")),
                interval=interval(metric.get("ci_low"), metric.get("ci_high")),
                n=num(metric.get("n")),
                confidence=level(confidence) if confidence is not None else "–",
                labelled_interval=labelled_interval(
                    metric.get("ci_low"), metric.get("ci_high"), confidence
                ),
                method=str(metric.get("method") or "–"),
                description=str(metric.get("description") or ""),
                skipped=num(details.get("n_skipped")),
                groups=groups,
                raw=metric,
                notes=coverage_notes(metric),
            )
        )

    worst: list[CaseView] = []
    errors: list[CaseView] = []
    missing: list[str] = []
    skipped: list[int] = []
    # The rows every format shows by key: the gates' worst cases (the JUnit failures name all
    # of a failing gate's). One streamed pass finds them and the first failed requests; the
    # run's rows are never held (a 100,000-row run took 426 MB held whole).
    named = set(wanted) | {key for g in gate_views for key in g.worst_cases}
    shown: dict[str, dict[str, Any]] = {}
    if named or run.results_path.exists():
        for row in run.iter_results():
            if named:
                key = row_key(row)
                if key in named:
                    shown[key] = row
            if row.get("error") is not None and len(errors) < MAX_ERRORS:
                errors.append(_case_view(row, []))
        for key, gate_ids in wanted.items():
            if key in shown:
                worst.append(_case_view(shown[key], gate_ids))
            else:
                missing.append(key)
        _counterparts(worst, shown, run.iter_results())
        skipped = run.skipped_results()  # known from the rows' pass above: no second read
    # Its hash too, where that pass read the whole file; a file gone is said, not shown as
    # a run with no rows to show.
    changed = run.results_changed() or run.results_missing()

    manifest = run.manifest
    return ReportContext(
        run=run,
        run_id=run.run_id,
        status=run.status,
        suite=dict(summary.get("suite") or {}),
        target=dict(summary.get("target") or {}),
        counts=dict(summary.get("counts") or {}),
        gates=gate_views,
        metrics=metric_views,
        worst_cases=worst,
        missing_cases=missing,
        errors=errors,
        scorers=dict(summary.get("scorers") or {}),
        manifest=manifest,
        manifest_json=_json(manifest) if manifest else "",
        started_at=str(summary.get("started_at") or "–"),
        finished_at=str(summary.get("finished_at") or "–"),
        results_path=str(run.results_path),
        gates_passed=sum(1 for g in gate_views if g.verdict == "pass"),
        gates_failed=sum(1 for g in gate_views if g.verdict == "fail"),
        gates_no_data=sum(1 for g in gate_views if g.verdict not in ("pass", "fail")),
        sent=sent_lines(manifest)
        + _incomplete(summary.get("counts"))
        + _retries(summary.get("retries"))
        + _warnings(summary.get("warnings")),
        skipped_lines=skipped,
        skipped_note=run.skipped_note() if skipped else None,
        changed_note=changed,
        summary_changed_note=run.summary_changed(),
        manifest_missing_note=run.manifest_missing(),
        reviews_left_out=[u.left_out() for u in unbacked] + gone,
        shown_rows=shown,
    )


def _interval_notes(gate: dict[str, Any], metric: dict[str, Any] | None) -> list[str]:
    """Why the gate's figure shows no interval (``interval_note``), as a gate note: JUnit and
    the reports' gate tables show "–" there otherwise, the reason only in the metrics table."""
    note = interval_note(gate, metric)
    return [note] if note else []
