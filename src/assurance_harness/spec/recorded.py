"""A finished run's metrics and gates as its own summary.json defines them, recomputed from rows.

summary.json keeps each metric's spec (``metrics.<id>.spec``) and each gate's rule (metric,
max, min, bound, each_group, id), so a run can be measured again without its suite file: the
review-aware view re-measures it with the human labels in (``review.verdict``), and evidence is
attached only when the figures summary.json states are the ones its results give
(``register.summary_check``). Both go through the metric engine (``metrics.engine``, or its
columnar form ``metrics.columns`` for a stream of rows), never a copy of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError, ConfigIssue
from ..metrics.base import MetricValue, Row
from ..metrics.columns import MetricColumns, compact_supported
from ..metrics.engine import compute_metrics, judge_gate
from .loader import MetricSpec, _parse_metrics
from .suite import GateSpec

__all__ = [
    "Measured",
    "RecordedSpecs",
    "gate_rule",
    "judge_gates",
    "measure_rows",
    "measure_stream",
    "metric_spec_fields",
    "recorded_specs",
]

CHUNK_ROWS = 4096
"""Rows read at a time when a run is measured again from its results file."""


@dataclass
class RecordedSpecs:
    """The metric and gate specs a run's summary.json recorded, parsed as a suite's are."""

    metrics: list[MetricSpec]
    gates: list[GateSpec]
    seed: int
    exact_limits: bool = False
    """Gates judged as summaries written before 2026-12-07 judged them: a figure meets a limit
    only when it is on it exactly, not within rounding noise (``limits.side``)."""
    worst_of_all_rows: bool = False
    """Worst cases named as summaries written before 2026-12-08 named them: where no failing
    group has a row to show, the whole metric's (``engine.judge_gate``)."""

    @property
    def by_id(self) -> dict[str, MetricSpec]:
        return {m.id: m for m in self.metrics}


GATE_RULE_FIELDS = ("id", "metric", "max", "min", "bound", "description", "each_group")
"""The fields of a gate's summary.json entry that state its rule (the rest are what was found)."""


def metric_spec_fields(spec: MetricSpec) -> dict[str, Any]:
    """What a metric's summary.json entry records of its spec, ahead of its figures: the runner
    writes exactly this, and the evidence check compares a suite's specs through it."""
    return {
        "kind": spec.kind,
        "spec": {k: v for k, v in spec.raw.items() if k != "id"},
        "description": spec.description,
    }


def gate_rule(gate: GateSpec) -> dict[str, Any]:
    """What a gate's summary.json entry records of its rule, as the runner writes it: the
    engine's own spelling (``judge_gate``, so a bound is normalised and ``each_group`` appears
    only when false), and ``require_reviewed`` only when set (the runner adds it with the
    review queue; a suite with such a gate always has a review policy)."""
    judged = judge_gate(gate, None, None, [])
    rule = {k: judged[k] for k in GATE_RULE_FIELDS if k in judged}
    if gate.require_reviewed:
        rule["require_reviewed"] = True
    return rule


def _no_line(_loc: Any, key: bool = False) -> int | None:
    """summary.json is JSON: issues name the field, not a line (the loader asks with ``key``)."""
    return None


def _metric_specs(summary: dict[str, Any], source: str) -> list[MetricSpec]:
    metrics = summary.get("metrics") or {}
    raw = [
        {"id": mid, **(m.get("spec") or {})} if isinstance(m, dict) else m
        for mid, m in metrics.items()
    ]
    issues: list[ConfigIssue] = []
    specs = _parse_metrics(raw, source, _no_line, issues)
    if issues:
        raise ConfigError(issues)
    return specs


def _gate_spec(recorded: dict[str, Any], index: int, source: str) -> GateSpec:
    """The rule a gate entry records (its bound as the engine normalised it, which is one of
    the suite's spellings); a rule no suite could hold (min above max, a bound no suite has) is
    a ConfigError naming the gate."""
    try:
        return GateSpec(
            metric=recorded["metric"],
            max=recorded.get("max"),
            min=recorded.get("min"),
            bound=recorded.get("bound") or "point",
            each_group=recorded.get("each_group", True),
            id=recorded.get("id"),
            description=recorded.get("description"),
        )
    except (KeyError, TypeError, ValidationError) as exc:
        why = (
            exc.errors()[0]["msg"]
            if isinstance(exc, ValidationError)
            else f"no {exc}"
            if isinstance(exc, KeyError)
            else str(exc)
        )
        raise ConfigError(
            ConfigIssue(source, None, f"gates.{index}", f"not a gate rule: {why}")
        ) from None


def recorded_specs(summary: dict[str, Any], source: str = "summary.json") -> RecordedSpecs:
    """The specs of ``summary``'s metrics and gates; ConfigError (naming ``source``) when one
    cannot be parsed here: a metric kind from a plugin that is not installed, an entry edited
    into something no suite could hold, or a summary without metric specs."""
    metrics = _metric_specs(summary, source)
    gates = [_gate_spec(g, i, source) for i, g in enumerate(summary.get("gates") or [])]
    return RecordedSpecs(metrics=metrics, gates=gates, seed=int(summary.get("seed") or 0))


def judge_gates(
    specs: RecordedSpecs, values: dict[str, MetricValue], rows: list[Row] | MetricColumns
) -> list[dict[str, Any]]:
    """Each recorded gate judged on ``values`` (``metrics.engine.judge_gate``), before anything
    the run added to the verdict after that (validity, review)."""
    by_id = specs.by_id
    return [
        judge_gate(
            g,
            values.get(g.metric),
            by_id.get(g.metric),
            rows,
            exact=specs.exact_limits,
            worst_of_all_rows=specs.worst_of_all_rows,
        )
        for g in specs.gates
    ]


def measure_rows(
    specs: RecordedSpecs, rows: list[Row]
) -> tuple[dict[str, MetricValue], list[dict[str, Any]]]:
    """The metrics and gates over rows in memory (the review-aware view adds labels to them)."""
    values = compute_metrics(specs.metrics, rows, seed=specs.seed)
    return values, judge_gates(specs, values, rows)


@dataclass
class Measured:
    """A run measured again from its results file."""

    values: dict[str, MetricValue]
    gates: list[dict[str, Any]]
    rows: int
    errors: int
    """Rows whose request failed (``error`` set), as the run's counts record them."""
    finish_reasons: dict[str, int] | None = None
    """Answers by the finish reason their rows record (``counts.finish_reasons``); None where
    no row records one: a run made before the rows carried it, or whose target reports none."""


def _finish_reasons(rows: Iterable[Row], counts: Counter[str]) -> None:
    """Count the answers' finish reasons as the runner does (``runner.rowstream``): a row that
    answered (no ``error``) and says how its answer ended."""
    for row in rows:
        reason = row.get("finish_reason")
        if isinstance(reason, str) and row.get("error") is None:
            counts[reason] += 1


def _chunks(rows: Iterable[Row]) -> Iterator[list[Row]]:
    it = iter(rows)
    while chunk := list(islice(it, CHUNK_ROWS)):
        yield chunk


def measure_stream(specs: RecordedSpecs, rows: Iterable[Row], *, samples: int) -> Measured:
    """The metrics and gates over a stream of result rows, in the run's order: the columns a
    streamed run kept (``metrics.columns``; memory does not grow with the rows) where the
    metric kinds allow, as the runner does, else the rows themselves."""
    samples = max(1, samples)
    count = errors = 0
    recorded = False
    reasons: Counter[str] = Counter()
    if not compact_supported(specs.metrics, specs.gates):
        kept = list(rows)
        count, errors = len(kept), sum(r.get("error") is not None for r in kept)
        _finish_reasons(kept, reasons)
        values, gates = measure_rows(specs, kept)
        return Measured(values, gates, count, errors, _recorded(reasons, kept))
    case_ids: list[str] = []
    columns = MetricColumns(
        specs.metrics,
        samples=samples,
        case_id=lambda i: case_ids[i],
        gated={g.metric for g in specs.gates},
    )
    try:
        for chunk in _chunks(rows):
            for offset, row in enumerate(chunk):
                if (count + offset) % samples == 0:
                    case_ids.append(str(row.get("case_id")))
                errors += row.get("error") is not None
                recorded = recorded or "finish_reason" in row
            _finish_reasons(chunk, reasons)
            count += len(chunk)
            columns.add(chunk)
        values = columns.compute(seed=specs.seed)
        gates = judge_gates(specs, values, columns)
    finally:
        columns.spill.close()
    return Measured(values, gates, count, errors, dict(reasons) if recorded else None)


def _recorded(reasons: Counter[str], rows: list[Row]) -> dict[str, int] | None:
    """``reasons`` as counted, where any row records a finish reason; None where none does."""
    return dict(reasons) if any("finish_reason" in row for row in rows) else None
