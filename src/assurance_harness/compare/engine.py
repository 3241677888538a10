"""Compare a candidate run with a baseline run, metric by metric, with a verdict for each.

A change is a *regression* only when it is statistically significant after Holm's correction
across the compared metrics, at least ``min_effect`` in size, and in the direction that moves
the metric toward failing its gate. Direction comes from, in order:

1. an explicit override (``--higher-is-better M`` / ``--lower-is-better M``);
2. the suite's gates on the metric: a ``max`` gate means lower is better, a ``min`` gate higher
   is better; in a band (both), nearer its middle is better, so a change that takes the value
   farther from the middle regresses whichever way it goes (without the candidate's value, the
   edge nearer the baseline value is the one to fear);
3. the metric kind's own ``higher_is_better`` when the plugin declares one.

A significant change with no known direction is reported as ``changed`` and does not fail.

Runs of the same cases are compared case by case, over the cases with a value in both: a case
one run did not answer (its request failed) says nothing of a change, and the note says how
many of how many were compared. Where fewer than half were, a metric that could regress is not
compared, and the comparison gives no verdict (``Comparison.uncompared``, exit 3).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np

from ..errors import UsageError
from ..formatting import group_name, recorded_level
from ..metrics.rowvalues import group_key, streamed_row_values
from ..stats.intervals import cluster_totals
from ..store.cacheshare import CacheShare
from ..store.runread import RunLog, smoke_test_limit
from . import stats
from .errored import ROLES, ErroredTally, errored_note, unread_note
from .measures import changed_cases, changed_target, changed_version, measure, shown
from .novalue import answered_without_value, no_value_note
from .scorersettings import changed_scorers

Verdict = Literal["improved", "unchanged", "regressed", "changed", "no_data", "missing", "untested"]
Direction = Literal["higher", "lower"]


@dataclass
class MetricComparison:
    """One metric in both runs, the test applied, and the verdict."""

    metric: str
    kind: str | None
    baseline: dict[str, Any] | None
    candidate: dict[str, Any] | None
    test: stats.TestResult | None = None
    p_adjusted: float | None = None
    direction: Direction | None = None
    direction_source: str = "unknown"
    verdict: Verdict = "untested"
    note: str | None = None
    group: str | None = None
    """Set on per-group comparisons (``--groups``): the group's name."""
    errored_left_out: dict[str, dict[str, int] | None] | None = None
    """Per run (``baseline``, ``candidate``) where either left out rows whose request errored:
    ``{"cases", "rows", "of_cases"}`` (``errored.ErroredTally.left_out``; None for a run whose
    rows of the metric are not known here); None where neither did."""
    errored_unread: dict[str, dict[str, int] | None] | None = None
    """Per run, where either has errored rows its ``where:`` could not be read on (null on a
    row with no answer or scores, so not known to be of the metric): ``{"cases", "rows",
    "of_cases"}`` (``errored.ErroredTally.unread_left_out``); None where neither has."""
    no_value_left_out: dict[str, dict[str, int]] | None = None
    """Per run, where either left out cases it answered that gave no value (``novalue``;
    unpaired, only for a metric without ``where:``): ``{"cases", "of_cases"}``; None where
    neither did."""
    redefined: bool = False
    """Of another kind, or defined otherwise (expression, threshold, population), in each run:
    different measures under one id, not compared."""
    groups: list[MetricComparison] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.metric if self.group is None else f"{self.metric}[{group_name(self.group)}]"

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "kind": self.kind,
            "baseline": self.baseline,
            "candidate": self.candidate,
            "test": self.test.to_dict() if self.test else None,
            "p_adjusted": self.p_adjusted,
            "direction": self.direction,
            "direction_source": self.direction_source,
            "verdict": self.verdict,
            "note": self.note,
            "errored_left_out": self.errored_left_out,
            "errored_unread": self.errored_unread,
            "no_value_left_out": self.no_value_left_out,
            **({"group": self.group} if self.group is not None else {}),
            **({"groups": [g.to_dict() for g in self.groups]} if self.groups else {}),
        }


TESTED_VERDICTS = frozenset({"unchanged", "changed", "improved", "regressed"})
"""Verdicts of a metric that was tested in both runs (not ``missing``, ``no_data``)."""


@dataclass
class Comparison:
    """The whole comparison; ``exit_code`` is 3 when it cannot vouch for anything
    (``unmeasured``), else 1 when any metric regressed."""

    baseline_run: str
    candidate_run: str
    suite: str
    baseline_target: str
    candidate_target: str
    alpha: float
    paired: bool
    metrics: list[MetricComparison] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed_runs: list[str] = field(default_factory=list)
    """``the candidate run ID`` for each compared run that failed (``run_failed``)."""
    changed_runs: list[str] = field(default_factory=list)
    """``the candidate run ID: why`` for each compared run whose results.jsonl or summary.json
    is not the file its manifest records, or cannot be checked against it: missing, or no
    manifest (``RunLog.results_unverified``, ``summary_changed``)."""
    gated_without_data: list[str] = field(default_factory=list)
    """Metrics a gate of the candidate run checks that have no figure in it (the gate is
    ``no_data``): whether they regressed is unknown, whatever the other metrics say."""
    gated_redefined: list[str] = field(default_factory=list)
    """Metrics a gate of the candidate run checks that are defined otherwise in the two runs
    (another kind, expression, population, or a scorer they read set otherwise: ``untested``):
    not compared, so whether the metric the suite gates on regressed is unknown, whatever
    the other metrics say."""
    uncompared: list[str] = field(default_factory=list)
    """``metric (k of N cases)`` for each metric or group that could regress whose paired test
    would rest on fewer than half its cases answered in both runs: whether it regressed is
    unknown, whatever the other metrics say."""
    smoke_test: str | None = None
    """``the candidate run ID is a smoke test (--limit N) and the baseline run ID is not`` when
    one run took the suite's first N cases and the other all of them or another N
    (``unlike_limits``): the first cases are no sample of the suite's, so a difference may be
    theirs, not the target's."""
    cached_candidate: str | None = None
    """``N of M answers in run ID came from the response cache (measured by ...)`` when most
    of the candidate's answers did (``store.cacheshare``): it repeats those runs' measurement,
    so it cannot show whether the target regressed since."""

    @property
    def unmeasured(self) -> str | None:
        """Why this comparison cannot say "no regression", or None. A run that failed has
        partial figures at best (an endpoint down: none), which neither show a regression's
        absence nor stand for the run the suite asked for; a comparison in which no metric had
        data in both runs compared nothing. Either read as "no significant regression" kept a
        nightly green while nothing was measured."""
        if self.changed_runs:
            return (
                "; ".join(self.changed_runs)
                + "; compare runs whose files are as the run wrote them, or run the suite again"
            )
        if self.failed_runs:
            return (
                f"{' and '.join(self.failed_runs)} failed (run_failed), so its figures are "
                "partial at best and cannot show whether anything regressed; fix the cause and "
                "compare a run that finished"
            )
        if self.smoke_test:
            return (
                f"{self.smoke_test}: the suite's first cases are no sample of its cases, so "
                "their figures cannot show whether the target regressed; compare full runs "
                "(baseline check leaves smoke tests out), or smoke tests of one --limit"
            )
        if self.cached_candidate:
            return (
                f"{self.cached_candidate}, not from the target, so the candidate repeats an "
                "earlier measurement and cannot show whether the target regressed since; run "
                "the suite again with --no-cache"
            )
        if self.gated_without_data:
            return (
                f"gated metric(s) {', '.join(self.gated_without_data)} have no data in "
                f"{self.candidate_run} (the gate is no_data, or failed on the group without "
                "data), so whether they regressed is unknown; its report says why, and a run "
                "that measured them can be compared"
            )
        if self.gated_redefined:
            return (
                f"gated metric(s) {', '.join(self.gated_redefined)} are defined differently in "
                "the two runs (see the warnings), so they were not compared and whether they "
                "regressed is unknown; compare runs of one suite version and scorer settings"
            )
        if self.uncompared:
            return (
                f"{CANNOT_COMPARE} {', '.join(self.uncompared)}: fewer than half the cases with "
                "a value in either run have one in both (the other run's requests failed, "
                "gave no value, or did not ask them), so whether it regressed is unknown; "
                "compare runs that answered the same cases"
            )
        if self.metrics and not any(m.verdict in TESTED_VERDICTS for m in self.metrics):
            if any(m.redefined for m in self.metrics):
                return (
                    "no metric is measured alike in both runs (each is defined differently in "
                    "them, or has no data in one), so nothing was compared; compare runs of "
                    "one suite version"
                )
            if any(m.verdict == "untested" for m in self.metrics):
                # data in both, but no test it allows (an interval whose level is not recorded)
                return (
                    "no metric could be tested in both runs (each metric's note says why), so "
                    "nothing was compared"
                )
            return (
                "no metric has data in both runs, so nothing was compared; compare runs that "
                "measured the suite's metrics"
            )
        return None

    @property
    def regressions(self) -> list[MetricComparison]:
        """Regressed metrics, then regressed groups (only compared with ``groups=True``)."""
        found = [m for m in self.metrics if m.verdict == "regressed"]
        return found + [g for m in self.metrics for g in m.groups if g.verdict == "regressed"]

    @property
    def exit_code(self) -> int:
        if self.unmeasured is not None:
            return 3  # the "run failed" code: no verdict, which CI must tell from a regression
        return 1 if self.regressions else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline_run": self.baseline_run,
            "candidate_run": self.candidate_run,
            "suite": self.suite,
            "baseline_target": self.baseline_target,
            "candidate_target": self.candidate_target,
            "alpha": self.alpha,
            "correction": "holm",
            "paired": self.paired,
            "regressed": [m.label for m in self.regressions],
            "exit_code": self.exit_code,
            "unmeasured": self.unmeasured,
            "warnings": self.warnings,
            "metrics": [m.to_dict() for m in self.metrics],
        }


def _figure(metric: dict[str, Any]) -> dict[str, Any]:
    return {
        key: metric.get(key) for key in ("value", "n", "ci_low", "ci_high", "confidence", "method")
    }


FIGURE_KEYS = ("value", "ci_low", "ci_high")
"""A metric's figures a comparison shows and tests with (besides ``n``)."""


def odd_figure(metric: dict[str, Any]) -> tuple[str, str] | None:
    """The first of a recorded metric's figures that is not one (``(key, as JSON)``): a value
    or interval end that is not a finite number (a plugin's NaN, an infinity, a string, a
    list, ``true``), or an ``n`` that is not a count. A gate judges such a figure ``no_data``
    (``metrics.engine.judge_gate``); a comparison showed it beside a verdict on the rows, or
    failed on it (``float("abc")``). None (not measured) is not odd: that is ``no_data``."""
    for key in FIGURE_KEYS:
        value = metric.get(key)
        if value is not None and not _finite_number(value):
            return key, json.dumps(value, default=str)
    n = metric.get("n")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
        return "n", json.dumps(n, default=str)
    return None


def _finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def infer_direction(
    metric_id: str,
    gates: list[dict[str, Any]],
    baseline_value: float | None,
    *,
    kind: str | None,
    higher_is_better: set[str],
    lower_is_better: set[str],
    candidate_value: float | None = None,
) -> tuple[Direction | None, str]:
    """Which way is better for this metric, and why we think so (see the module docstring).
    ``candidate_value``: for a band, the way from the baseline value to it is better only when
    it ends nearer the band's middle; the nearer edge alone called a candidate that crossed the
    far edge (0.45 to 0.9 in [0.3, 0.7]) improved."""
    if metric_id in higher_is_better:
        return "higher", "override"
    if metric_id in lower_is_better:
        return "lower", "override"
    votes: set[Direction] = set()
    for gate in gates:
        if gate.get("metric") != metric_id:
            continue
        low, high = gate.get("min"), gate.get("max")
        if high is not None and low is not None:
            if baseline_value is None:
                continue
            votes.add(_band_direction(low, high, baseline_value, candidate_value))
        elif high is not None:
            votes.add("lower")
        elif low is not None:
            votes.add("higher")
    if len(votes) == 1:
        return next(iter(votes)), "gate"
    if len(votes) > 1:
        return None, "conflicting gates"
    if kind:
        try:
            from ..metrics.base import metric_kinds

            declared = metric_kinds.get(kind).higher_is_better
        except Exception:  # unknown or unloadable kind: no opinion
            declared = None
        if declared is not None:
            return ("higher" if declared else "lower"), "metric kind"
    return None, "unknown"


def _gated_groups_without_data(gates: list[Any], metrics: dict[str, Any]) -> list[str]:
    """``metric[group]`` for each group a gate of the candidate failed for having no data
    (``groups_without_data``) whose figure has no value in ``metrics`` (the candidate's): the
    metric's other figures may all be unchanged, but whether that group regressed is unknown,
    as for a gated metric without any data. A group with a value but no interval (one case of
    several samples, too few cases for a mean's) is not one: its values are compared as any
    group's, the gate's want of a bound being about the run, not about the change."""
    found: list[str] = []
    for gate in gates:
        groups = gate.get("groups_without_data") if isinstance(gate, dict) else None
        if not isinstance(groups, list):
            continue
        metric = metrics.get(str(gate.get("metric"))) or {}
        figures = metric.get("groups") if isinstance(metric, dict) else None
        for group in groups:
            figure = figures.get(group) if isinstance(figures, dict) else None
            if not isinstance(figure, dict) or figure.get("value") is None:
                found.append(f"{gate.get('metric')}[{group}]")
    return list(dict.fromkeys(found))


def _group_values(item: MetricComparison) -> tuple[float | None, float | None]:
    """A compared group's baseline and candidate values, where both are numbers."""
    base, cand = ((figure or {}).get("value") for figure in (item.baseline, item.candidate))
    if isinstance(base, int | float) and isinstance(cand, int | float):
        return float(base), float(cand)
    return None, None


def _band_direction(low: float, high: float, baseline: float, candidate: float | None) -> Direction:
    """Which way is better in the band [low, high] for a move from ``baseline`` to
    ``candidate``: the move's own way when it ends nearer the middle, else the other."""
    if candidate is None or candidate == baseline:
        return "lower" if high - baseline <= baseline - low else "higher"
    middle = (low + high) / 2
    up: Direction = "higher" if candidate > baseline else "lower"
    if abs(candidate - middle) <= abs(baseline - middle):
        return up
    return "lower" if up == "higher" else "higher"


RowValue = tuple[tuple[str, str | None], float]
"""What a comparison keeps of a row that counts towards a metric: ``((case id, group), value)``,
the group under the candidate's ``by:`` (None unless groups are compared)."""


def _prompt_digest(value: Any) -> bytes:
    """A case's prompt (or messages) as 16 bytes: pairing needs only equality, and a run's
    prompts kept whole can be as large as its rows."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass
class _RunValues:
    """One streamed pass over a run's rows: each case's prompt digest, and per metric the
    ``RowValue`` of every row that counts towards it (None: no per-row form, or no rows)."""

    prompts: dict[str, bytes]
    values: dict[str, list[RowValue] | None]
    errored: ErroredTally


def _noting_prompts(
    rows: Iterable[dict[str, Any]], prompts: dict[str, bytes], errored: ErroredTally
) -> Iterator[dict[str, Any]]:
    """``rows`` as they are, each case's first prompt digest noted in ``prompts`` and each
    errored row in ``errored`` on the way."""
    for row in rows:
        case = str(row.get("case_id"))
        if case not in prompts:
            prompts[case] = _prompt_digest(row.get("prompt") or row.get("messages"))
        errored.see(row)
        yield row


def _run_values(run: RunLog, group_specs: dict[str, dict[str, Any]] | None = None) -> _RunValues:
    """Read ``run``'s rows once, as a stream, keeping only what the tests use (never the rows:
    two 100,000-row runs held whole took 800 MB). Each metric's values come from its own spec
    in this run; groups, when ``group_specs`` is given, from those specs' ``by:`` (the
    candidate's, for both runs, as the summary's groups are the candidate's)."""
    prompts: dict[str, bytes] = {}
    errored = ErroredTally.of(run.metrics, group_specs)

    def keep(name: str, row: dict[str, Any]) -> tuple[str, str | None]:
        errored.saw_counted(name, row)
        grouping = (group_specs or {}).get(name)
        return str(row.get("case_id")), group_key(grouping, row) if grouping else None

    streamed = _noting_prompts(run.iter_results(), prompts, errored)
    counted = streamed_row_values(run.metrics, streamed, keep)
    if not prompts:  # no rows: nothing to test with, as a run without results
        counted = dict.fromkeys(counted)
    return _RunValues(prompts, counted, errored)


def _pairable(prompts_a: dict[str, bytes], prompts_b: dict[str, bytes]) -> bool:
    """Whether the runs' cases can be compared case by case: at least ``MIN_COMPARED_SHARE``
    of them in both, and no id asked with another prompt in each (another case under one
    id). One run's cases may be the other's plus or less some (cases added to or removed from
    the suite): tested unpaired over all, the cases only one run asked read as the target's
    change, so the paired test compares those in both and leaves the rest out, saying so
    (``_shared_cases``). Runs sharing fewer (two seeded samples of a dataset, a smoke test
    beside a full run) are tested unpaired, as two samples."""
    shared = prompts_a.keys() & prompts_b.keys()
    every = len(prompts_a) + len(prompts_b) - len(shared)
    return (
        bool(shared)
        and len(shared) >= MIN_COMPARED_SHARE * every
        and all(prompts_a[case] == prompts_b[case] for case in shared)
    )


def _shared_cases(prompts_a: dict[str, bytes], prompts_b: dict[str, bytes]) -> str:
    """The warning for paired runs whose case sets differ (``_pairable``)."""
    both = len(prompts_a.keys() & prompts_b.keys())
    only_a, only_b = len(prompts_a) - both, len(prompts_b) - both
    return (
        f"the runs do not have the same cases: the {both} in both (same ids and prompts) are "
        f"compared case by case, and {only_a} only in the baseline run and {only_b} only in "
        "the candidate run are left out of the tests (the figures shown are of the compared "
        "cases, each whole run's beside them), so a "
        "change on those cases is not compared"
    )


def _per_case(values: list[RowValue]) -> dict[str, tuple[float, int]]:
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for (case, _), value in values:
        acc = sums[case]
        acc[0] += value
        acc[1] += 1
    return {k: (v[0], int(v[1])) for k, v in sums.items()}


def _case_totals(values: list[RowValue]) -> tuple[np.ndarray, np.ndarray]:
    """Per case (in order of first appearance): the sum of its values and how many it has."""
    return cluster_totals([v for _, v in values], [case for (case, _), _ in values])


def _several_a_case(totals: tuple[np.ndarray, np.ndarray]) -> bool:
    return totals[1].size < float(totals[1].sum())


def _one_case_reason(*totals: tuple[np.ndarray, np.ndarray]) -> str | None:
    """Why no unpaired test can be made where a run's values are one case's several samples,
    or None. They show how that prompt's answers vary, not how prompts do: counted as
    independent (a plain Welch) or as one cluster (an effective n of the samples' total), two
    single prompts answered 0/4 and 4/4 read as a regression at p 0.005. Each run's own
    figure has no interval over one such case either (``intervals.one_cluster_reason``)."""
    for role, (_, sizes) in zip(("baseline", "candidate"), totals, strict=True):
        if sizes.size == 1 and float(sizes.sum()) > 1:
            return (
                f"no test: one case in the {role} run; its {float(sizes.sum()):.0f} samples "
                "show how that case's answers vary, not how cases do, so a test needs at "
                "least two cases in each run"
            )
    return None


def _one_outcome_reason(*totals: tuple[np.ndarray, np.ndarray]) -> str | None:
    """Why no test with the case as the unit can be made where a run is one case of one
    sample (one of several, ``_one_case_reason``), or None: ``clustered_two_proportion``
    refuses a run of one case. Counted as one case of effective n 1, a baseline's single
    outcome against three cases of 4/4 read as a regression at p 0.042."""
    for role, (_, sizes) in zip(("baseline", "candidate"), totals, strict=True):
        if sizes.size < 2:
            return (
                f"no test: one case in the {role} run, of one outcome, against cases of "
                "several samples: a test with the case as the unit needs at least two cases "
                "in each run"
            )
    return None


def _successes(metric: dict[str, Any]) -> int | None:
    details = metric.get("details") or {}
    if isinstance(details.get("successes"), int):
        return int(details["successes"])
    if metric.get("value") is not None and metric.get("n"):
        return round(float(metric["value"]) * int(metric["n"]))
    return None


def _test_metric(
    base_m: dict[str, Any],
    cand_m: dict[str, Any],
    values_a: list[RowValue] | None,
    values_b: list[RowValue] | None,
    *,
    paired: bool,
    confidence: float,
    seed: int,
    resamples: int,
    group: str | None = None,
) -> stats.TestResult | str:
    """The best test the data allow (``values_*``: each run's ``RowValue`` list for the
    metric, None without a per-row form), or why there is none; ``group`` restricts them to a
    group."""
    kind = cand_m.get("kind") or base_m.get("kind")
    if group is not None:
        if values_a is not None:
            values_a = [t for t in values_a if t[0][1] == group]
        if values_b is not None:
            values_b = [t for t in values_b if t[0][1] == group]
    if paired and values_a and values_b:
        return _paired_test(
            values_a,
            values_b,
            seed=seed,
            resamples=resamples,
            confidence=confidence,
            outcomes=kind == "rate",  # 0/1 by the scale, not only as these runs' values lie
        )
    if kind in ("rate", "mean") and values_a and values_b:
        # A case's samples are not independent outcomes: where a case holds several, the
        # case is the unit of the test, as it is of each run's own interval.
        totals_a, totals_b = _case_totals(values_a), _case_totals(values_b)
        one_case = _one_case_reason(totals_a, totals_b)
        if one_case is not None:
            return one_case
        if _several_a_case(totals_a) or _several_a_case(totals_b):
            if kind == "rate":
                one_outcome = _one_outcome_reason(totals_a, totals_b)
                if one_outcome is not None:
                    return one_outcome
                return stats.clustered_two_proportion(*totals_a, *totals_b, confidence=confidence)
            if totals_a[1].size > 1 and totals_b[1].size > 1:
                return stats.clustered_welch(*totals_a, *totals_b, confidence=confidence)
    if kind == "rate":
        s_a, s_b = _successes(base_m), _successes(cand_m)
        if s_a is not None and s_b is not None:
            return stats.two_proportion(
                s_a, int(base_m["n"]), s_b, int(cand_m["n"]), confidence=confidence
            )
    if kind == "mean" and values_a and values_b and len(values_a) > 1 and len(values_b) > 1:
        return stats.welch(
            [v for _, v in values_a], [v for _, v in values_b], confidence=confidence
        )
    needed = ("value", "ci_low", "ci_high")
    if all(base_m.get(k) is not None for k in needed) and all(
        cand_m.get(k) is not None for k in needed
    ):
        level_a, level_b = (
            recorded_level(base_m.get("confidence")),
            recorded_level(cand_m.get("confidence")),
        )
        if level_a is None or level_b is None:
            return _no_level(level_a is None, level_b is None)
        return stats.from_intervals(
            float(base_m["value"]),
            float(base_m["ci_low"]),
            float(base_m["ci_high"]),
            int(base_m.get("n") or 0),
            float(cand_m["value"]),
            float(cand_m["ci_low"]),
            float(cand_m["ci_high"]),
            int(cand_m.get("n") or 0),
            confidence_a=level_a,
            confidence_b=level_b,
            confidence=confidence,
        )
    return NO_TEST


NO_TEST = "no interval or per-row values to test with"

CANNOT_COMPARE = "cannot compare"
"""The start of the note of a metric whose paired test would rest on too few cases answered
in both runs (``_paired_test``)."""
COMPARED_OVER = "compared over "
"""The start of the phrase saying how many of the cases a paired test compared."""
MIN_COMPARED_SHARE = 0.5
"""The least share of the cases with a value in either run that must have one in both for a
paired test to give a verdict: below it the verdict would rest on a minority of the cases,
the rest unknown in one run."""


def _paired_test(
    values_a: list[RowValue], values_b: list[RowValue], **options: Any
) -> stats.TestResult | str:
    """The paired bootstrap over the cases with a value in both runs, its method saying how
    many of how many it compared; or why there is none (``CANNOT_COMPARE``). A case one run
    did not answer (its request failed, its value was null) has nothing to pair with: counted
    in that run's ratio alone, a candidate that failed on the flagged cases compared
    "improved" with every answered case unchanged."""
    per_a, per_b = _per_case(values_a), _per_case(values_b)
    every = set(per_a) | set(per_b)
    both = sorted(set(per_a) & set(per_b))
    counted = f"{len(both)} of {len(every)} cases"
    if not both or len(both) < MIN_COMPARED_SHARE * len(every):
        return (
            f"{CANNOT_COMPARE}: only {counted} have a value in both runs (the others' requests "
            "failed, or gave no value, in one run, or only one run asked them), so a difference "
            "would rest on cases one run did not answer; compare runs that answered the same "
            "cases"
        )
    test = stats.paired_bootstrap([per_a[c] for c in both], [per_b[c] for c in both], **options)
    if len(both) == len(every):
        return test
    left_out = len(every) - len(both)
    kept = {f.name: getattr(test, f.name) for f in fields(test)}
    kept["method"] = (
        f"{test.method}; {COMPARED_OVER}{counted}, {left_out} with a value in one run only left out"
    )
    shared = tuple(_on_cases([per[c] for c in both], len(both)) for per in (per_a, per_b))
    return OnSharedCases(**kept, figures=(shared[0], shared[1]))


@dataclass
class OnSharedCases(stats.TestResult):
    """A paired test over only the cases with a value in both runs (``_paired_test``), with
    each run's figure over those cases (``figures``: baseline, candidate): shown beside the
    difference in place of the whole run's, which count cases the test did not compare (30
    cases added to the suite read 0.13 beside a difference of 0)."""

    figures: tuple[dict[str, Any], dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        found = super().to_dict()
        found.pop("figures", None)  # shown as the metric's baseline and candidate
        return found


SHARED_CASES = "on the {cases} cases compared"
"""How a figure over the compared cases only is labelled (its ``method``)."""


def _on_cases(totals: list[tuple[float, int]], cases: int) -> dict[str, Any]:
    """A run's figure (sum over rows) over the compared cases' ``totals``, without an
    interval: the runs' own intervals are of their whole runs, shown beside it."""
    rows = sum(count for _, count in totals)
    return {
        "value": sum(total for total, _ in totals) / rows if rows else None,
        "n": rows,
        "ci_low": None,
        "ci_high": None,
        "confidence": None,
        "method": SHARED_CASES.format(cases=cases),
        "cases": cases,
    }


def _show_compared(item: MetricComparison, test: stats.TestResult) -> None:
    """Where ``test`` compared only some cases (``OnSharedCases``), show its figures over them
    as ``item``'s baseline and candidate, each with its whole run's figure (``whole_run``)."""
    if not isinstance(test, OnSharedCases) or test.figures is None:
        return
    base, cand = test.figures
    item.baseline = {**base, "whole_run": item.baseline}
    item.candidate = {**cand, "whole_run": item.candidate}


def _no_level(baseline: bool, candidate: bool) -> str:
    """Why a metric tested from its intervals alone is not tested: the standard error is read
    from an interval's width at its level, and a run's record gives none (missing, or not a
    level between 0 and 1). Every run this tool writes records it (``MetricValue.to_dict``,
    since the first release), and a suite could always set another (``confidence:``), so a
    record without one is no older format whose level is known to be 95%: it could have been
    any, and a p-value from a guessed level looks right while it may be wrong."""
    whose = (
        "both runs" if baseline and candidate else "the baseline run" if baseline else
        "the candidate run"
    )  # fmt: skip
    return (
        f"not tested: the interval in {whose} records no confidence level (its "
        "confidence is missing or not a number between 0 and 1), and only its width at a known "
        "level gives the standard error a test needs; run the suite again to record it"
    )


def compare_runs(
    baseline: RunLog,
    candidate: RunLog,
    *,
    alpha: float = 0.05,
    min_effect: float = 0.0,
    higher_is_better: set[str] | None = None,
    lower_is_better: set[str] | None = None,
    metrics: list[str] | None = None,
    groups: bool = False,
    allow_different_suites: bool = False,
    seed: int = 0,
    resamples: int = 2000,
) -> Comparison:
    """Compare every metric the two runs share (or those named in ``metrics``).

    With ``groups=True``, each group of a metric with ``by:`` is compared too, as a second
    family of tests with its own Holm correction (so adding groups never weakens the test of
    the overall metrics); a regressed group then also exits 1.
    """
    if not 0 < alpha < 1:
        raise UsageError(f"--alpha must be between 0 and 1, got {alpha}")
    if not 0 <= min_effect < math.inf:  # nan too: every comparison with it is false
        # inf would make every change too small to count: no regression could ever be found.
        raise UsageError(f"--min-effect must be 0 or more, and finite, got {min_effect}")
    if seed < 0:
        raise UsageError(f"--seed must be 0 or more (a bootstrap seed), got {seed}")
    higher_is_better = set(higher_is_better or ())
    lower_is_better = set(lower_is_better or ())
    both = higher_is_better & lower_is_better
    if both:
        raise UsageError(
            f"metric {sorted(both)[0]} is named both --higher-is-better and --lower-is-better"
        )
    if baseline.suite_name != candidate.suite_name and not allow_different_suites:
        raise UsageError(
            f"runs are of different suites ('{baseline.suite_name}' and "
            f"'{candidate.suite_name}'); compare runs of one suite, or pass --any-suite"
        )
    result = Comparison(
        baseline_run=baseline.run_id,
        candidate_run=candidate.run_id,
        suite=candidate.suite_name,
        baseline_target=baseline.target_name,
        candidate_target=candidate.target_name,
        alpha=alpha,
        paired=False,
    )
    for run, role in ((baseline, "baseline"), (candidate, "candidate")):
        if run.status == "run_failed":
            result.failed_runs.append(f"the {role} run {run.run_id}")
    result.smoke_test = unlike_limits(baseline, candidate)
    _note_cached(result, baseline, candidate)
    if _one_run(baseline, candidate):
        # True, and tests nothing: a CI step whose baseline was set to the run it checks.
        result.warnings.append(
            f"the baseline and the candidate are one run ({candidate.run_id}): every metric is "
            "unchanged by construction, so nothing was tested; compare the run with another"
        )
    if baseline.target_name != candidate.target_name:
        result.warnings.append(
            f"the runs are of different targets ('{baseline.target_name}' and "
            f"'{candidate.target_name}'): a difference is between two systems, not one "
            "system's change"
        )
    elif settings := changed_target(baseline.manifest_data, candidate.manifest_data):
        result.warnings.append(
            f"target '{candidate.target_name}' is configured otherwise in the two runs "
            f"({'; '.join(settings)}): a difference may be the configuration's, not only the "
            "model's"
        )
    if baseline.target_name == candidate.target_name and (
        versions := changed_version(baseline.summary, candidate.summary)
    ):
        result.warnings.append(
            f"target '{candidate.target_name}' reported another model version in the two runs "
            f"({versions[0]} -> {versions[1]}): a difference is between two models (weights "
            "retrained, an endpoint's model updated), not one model's runs"
        )
    sha_a = (baseline.summary.get("suite") or {}).get("sha256")
    sha_b = (candidate.summary.get("suite") or {}).get("sha256")
    if sha_a and sha_b and sha_a != sha_b:
        result.warnings.append(
            "the suite file changed between the runs (different SHA-256); metrics are "
            "compared by id"
        )
    group_specs = candidate.metrics if groups else None
    read_a = _run_values(baseline, group_specs)
    read_b = _run_values(candidate, group_specs)
    for run, role in ((baseline, "baseline"), (candidate, "candidate")):
        # The figures compared and shown, and the gates that give each metric its direction,
        # are summary.json's; the tests run over the rows: either edited, no verdict.
        checks = (run.misnamed(), run.summary_changed(), run.results_unverified())
        for changed in checks:  # the results' hash came with the pass just made
            if changed:
                result.changed_runs.append(f"the {role} run {run.run_id}: {changed}")
        note = run.skipped_note()  # known from the streamed pass: no second read
        if note:
            result.warnings.append(f"the {role} run {run.run_id}: {note}")
    prompts_a, prompts_b = read_a.prompts, read_b.prompts
    result.paired = _pairable(prompts_a, prompts_b)
    if prompts_a and prompts_b and not result.paired:
        result.warnings.append(
            "the runs do not have the same cases (ids and prompts); tests are unpaired"
        )
    elif result.paired and prompts_a != prompts_b:
        result.warnings.append(_shared_cases(prompts_a, prompts_b))
    elif result.paired and sha_a == sha_b:  # a changed suite file is said above
        changed = changed_cases(baseline.manifest_data, candidate.manifest_data)
        if changed is not None:
            result.warnings.append(changed)

    base_metrics, cand_metrics = baseline.metrics, candidate.metrics
    names = list(dict.fromkeys([*base_metrics, *cand_metrics]))
    if metrics:
        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise UsageError(
                f"unknown metric '{unknown[0]}'; metrics in these runs: {', '.join(names)}"
            )
        names = [n for n in names if n in metrics]
    for name in [*higher_is_better, *lower_is_better]:
        if name not in names:
            raise UsageError(
                f"direction override for unknown metric '{name}'; metrics: {', '.join(names)}"
            )
    gates = candidate.gates or baseline.gates
    gated = {str(g.get("metric")) for g in candidate.gates or [] if isinstance(g, dict)}
    result.gated_without_data.extend(
        _gated_groups_without_data(candidate.gates or [], cand_metrics)
    )
    ungrouped: dict[str, str] = {}  # a by: over a scorer set otherwise: groups not compared

    for name in names:
        base_m, cand_m = base_metrics.get(name), cand_metrics.get(name)
        kind = (cand_m or base_m or {}).get("kind")
        item = MetricComparison(
            metric=name,
            kind=kind,
            baseline=_figure(base_m) if base_m else None,
            candidate=_figure(cand_m) if cand_m else None,
        )
        result.metrics.append(item)
        if base_m is None or cand_m is None:
            item.verdict = "missing"
            item.note = f"only in the {'candidate' if base_m is None else 'baseline'} run"
            continue
        if base_m.get("kind") != cand_m.get("kind"):
            item.verdict, item.redefined = "untested", True
            item.note = "another kind in each run: different measures, not compared"
            result.warnings.append(
                f"metric {name} is {_a(base_m.get('kind'))} in the baseline run and "
                f"{_a(cand_m.get('kind'))} in the candidate run (the suite changed it), so it "
                "is not compared; give a new definition a new metric id, or compare runs of "
                "one suite version"
            )
            continue
        redefined = _redefinition(name, base_m, cand_m)
        if redefined is not None:  # figures of two measures: no evidence either way
            item.verdict, item.redefined = "untested", True
            item.note = "defined differently in each run: different measures, not compared"
            result.warnings.append(redefined)
            continue
        runs = (baseline.manifest_data, candidate.manifest_data)
        rescored, regrouped = changed_scorers(cand_m, runs)
        if rescored:  # one text over a scorer set otherwise: another measure, as above
            item.verdict, item.redefined = "untested", True
            item.note = (
                f"reads a scorer set otherwise in each run ({'; '.join(rescored)}): different "
                "measures, not compared"
            )
            result.warnings.append(_rescored(name, rescored))
            continue
        if regrouped:
            ungrouped[name] = (
                f"groups not compared: its by: reads a scorer set otherwise in each run "
                f"({'; '.join(regrouped)}), so its groups are not the same groups"
            )
        gate_value = base_m.get("value")  # the gates read the figure as the run reported it
        cand_gate_value = cand_m.get("value")
        if kind == "rate" and (_corrected(base_m) or _corrected(cand_m)):
            base_m, cand_m = as_observed(base_m), as_observed(cand_m)
            item.baseline, item.candidate = _figure(base_m), _figure(cand_m)
            item.note = OBSERVED_NOTE
        odd = _odd_figures(name, ((baseline, "baseline", base_m), (candidate, "candidate", cand_m)))
        if odd:
            item.verdict = "no_data"
            item.note = "a figure in at least one run is not a number: nothing to compare"
            result.warnings.extend(odd)
            continue
        if base_m.get("value") is None or cand_m.get("value") is None:
            item.verdict = "no_data"
            item.note = "no data in at least one run (n = 0)"
            if cand_m.get("value") is None and name in gated:
                result.gated_without_data.append(name)
            continue
        item.direction, item.direction_source = infer_direction(
            name,
            gates,
            float(gate_value) if gate_value is not None else None,
            kind=kind,
            higher_is_better=higher_is_better,
            lower_is_better=lower_is_better,
            candidate_value=float(cand_gate_value) if cand_gate_value is not None else None,
        )
        test = _test_metric(
            base_m,
            cand_m,
            read_a.values.get(name),
            read_b.values.get(name),
            paired=result.paired,
            confidence=1 - alpha,
            seed=seed,
            resamples=resamples,
        )
        if isinstance(test, str):
            item.note = _joined(item.note, test)
        else:
            item.test = test
            _show_compared(item, test)
            if left_out := _left_out(test):
                item.note = _joined(item.note, left_out)
        _note_errored(item, (read_a, read_b))
        _note_no_value(item, (read_a, read_b), paired=result.paired)

    result.gated_redefined = [m.metric for m in result.metrics if m.redefined and m.metric in gated]
    if groups:
        for item in result.metrics:
            if item.verdict in ("missing", "no_data") or item.redefined:  # nothing to compare
                continue
            if item.metric in ungrouped:
                item.note = _joined(item.note, ungrouped[item.metric])
                continue
            item.groups = _group_items(
                item,
                base_metrics[item.metric],
                cand_metrics[item.metric],
                read_a.values.get(item.metric),
                read_b.values.get(item.metric),
                paired=result.paired,
                confidence=1 - alpha,
                seed=seed,
                resamples=resamples,
            )
            for group in item.groups:  # a band's better way depends on each group's figures
                _note_errored(group, (read_a, read_b))
                if result.paired:  # unpaired, a case with no value is in no known group
                    _note_no_value(group, (read_a, read_b), paired=True)
                base_value, cand_value = _group_values(group)
                if item.direction_source == "gate" and base_value is not None:
                    group.direction, group.direction_source = infer_direction(
                        item.metric,
                        gates,
                        base_value,
                        kind=item.kind,
                        higher_is_better=higher_is_better,
                        lower_is_better=lower_is_better,
                        candidate_value=cand_value,
                    )
    result.uncompared = _uncompared(result.metrics, gated)
    _check_reachable(result, min_effect)
    _judge(result.metrics, alpha=alpha, min_effect=min_effect)
    _judge([g for m in result.metrics for g in m.groups], alpha=alpha, min_effect=min_effect)
    for item in result.metrics:
        _untested_direction(item)
    return result


def _note_errored(item: MetricComparison, reads: tuple[_RunValues, _RunValues]) -> None:
    """Count, per run, the cases ``item``'s test left out because their requests errored
    (``errored``), in its ``errored_left_out`` and its note, and apart, those whose
    ``where:`` could not be read on the errored row (``errored_unread``); nothing where none
    did. A group
    (``item.group``) counts its own cases, of those in it. A metric
    with no per-row values in a run (a kind without one) is not counted there: which of its
    rows it counted is not known here."""
    counts: dict[str, dict[str, int] | None] = {}
    unread: dict[str, dict[str, int] | None] = {}
    for role, read in zip(ROLES, reads, strict=True):
        values = read.values.get(item.metric)
        if values is None:
            continue
        tally = read.errored
        if item.group is None:
            valued = {case for (case, _), _ in values}
            counts[role] = tally.left_out(item.metric, valued, len(read.prompts))
            unread[role] = tally.unread_left_out(item.metric, valued, len(read.prompts))
        else:  # a group of the metric (``--groups``): its own rows and cases
            valued = {case for (case, group), _ in values if group == item.group}
            counts[role] = tally.group_left_out(item.metric, item.group, valued)
            unread[role] = tally.group_unread_left_out(item.metric, item.group, valued)
    if (note := errored_note(counts)) is not None:
        item.errored_left_out = {role: counts.get(role) for role in ROLES}
        item.note = _joined(item.note, note)
    if (note := unread_note(unread)) is not None:
        item.errored_unread = {role: unread.get(role) for role in ROLES}
        item.note = _joined(item.note, note)


def _note_no_value(
    item: MetricComparison, reads: tuple[_RunValues, _RunValues], *, paired: bool
) -> None:
    """Count, per run, the cases ``item``'s test left out because that run answered them with
    no value for it (``novalue``): paired, those the other run has a value for; unpaired,
    all of them, only for a metric without ``where:``. In its ``no_value_left_out`` and its
    note; nothing where neither run did, or where a run has no per-row values."""
    where = reads[0].errored.wheres.get(item.metric) is not None
    if not paired and where:
        return
    valued: list[set[str]] = []
    for read in reads:
        values = read.values.get(item.metric)
        if not values:
            return
        valued.append(
            {case for (case, group), _ in values if item.group is None or group == item.group}
        )
    every = valued[0] | valued[1]
    counts: dict[str, dict[str, int]] = {}
    for index, (role, read) in enumerate(zip(ROLES, reads, strict=True)):
        other = valued[1 - index] if paired else set(read.prompts)
        left = answered_without_value(valued[index], other, read.prompts, read.errored.failed)
        of_cases = len(read.prompts) if item.group is None else len(every)
        counts[role] = {"cases": len(left), "of_cases": of_cases}
    note = no_value_note(counts, where=where, paired=paired)
    if note is None:
        return
    item.no_value_left_out = counts
    item.note = _joined(item.note, note)


def _left_out(test: stats.TestResult) -> str | None:
    """``compared over k of N cases, ...`` where the paired test left out cases answered in
    one run only (``_paired_test``): the metric's note, shown whatever its verdict, as the
    whole-run figures beside the compared ones count those cases."""
    _, found, rest = test.method.partition(f"; {COMPARED_OVER}")
    return f"{COMPARED_OVER}{rest}" if found else None


def _uncompared(items: list[MetricComparison], gated: set[str]) -> list[str]:
    """The label of each metric (or group) that could regress, gated or of a known direction,
    whose paired test would rest on too few cases answered in both runs (``_paired_test``)."""
    found: list[str] = []
    for item in [*items, *(g for m in items for g in m.groups)]:
        could_regress = item.metric in gated or item.direction is not None
        if could_regress and item.test is None and CANNOT_COMPARE in (item.note or ""):
            counted = re.search(r"only (\d+ of \d+ cases)", item.note or "")
            found.append(f"{item.label} ({counted.group(1)})" if counted else item.label)
    return found


def _note_cached(result: Comparison, baseline: RunLog, candidate: RunLog) -> None:
    """Say how many answers of each run came from the response cache: a candidate answered
    mostly from it is no verdict (``Comparison.cached_candidate``); any other cached answers
    are a warning, as they repeat an earlier run's behaviour, not the target's that night."""
    for run, role in ((baseline, "baseline"), (candidate, "candidate")):
        share = CacheShare.of(run.manifest_data.get("cache"))
        if not share.cached:
            continue
        if role == "candidate" and share.mostly:
            result.cached_candidate = share.text(run.run_id)
            continue
        result.warnings.append(
            f"the {role} run: {share.text(run.run_id)}, not from the target: those cases "
            "repeat the earlier runs' answers"
        )


def unlike_limits(baseline: RunLog, candidate: RunLog) -> str | None:
    """Why the two runs took other cases of the suite (``Comparison.smoke_test``), or None:
    one a smoke test (``run --limit N``, the suite's first N cases) and the other a full run
    or a smoke test of another N. ``baseline set`` refuses a smoke test and ``baseline check``
    passes over them for this; ``compare`` and ``run --limit N --baseline`` read a target
    whose first cases are its hard ones as "regressed"."""
    limits = [smoke_test_limit(run.run_info, run.manifest_data) for run in (baseline, candidate)]
    if limits[0] == limits[1]:
        return None
    ran = ["a full run" if n is None else f"a smoke test (--limit {n})" for n in limits]
    smoke, other = (1, 0) if limits[1] is not None else (0, 1)
    roles = ("baseline", "candidate")
    runs = (baseline, candidate)
    return (
        f"the {roles[smoke]} run {runs[smoke].run_id} is {ran[smoke]} and the {roles[other]} "
        f"run {runs[other].run_id} is {ran[other]}"
    )


def _untested_direction(item: MetricComparison) -> None:
    """A metric that was not compared (no data, missing from a run, redefined) has no
    direction because nothing was judged, not because it is "unknown": its
    ``direction_source`` says why, as its verdict does, so the "better" column never reads
    ``?`` beside "no data"."""
    if item.direction is None and (item.verdict in ("no_data", "missing") or item.redefined):
        item.direction_source = item.verdict


OBSERVED_NOTE = (
    "compared as observed rates, before the scorer-error correction the runs' reports apply: "
    "the tests read what the scorer flagged in each row, so the figures shown, the difference "
    "and --min-effect are on that scale (the same correction in both runs changes no verdict)"
)
"""The note on a rate corrected for scorer error (``scorer_error:``) in either run."""


def _corrected(metric: dict[str, Any]) -> bool:
    """Whether a recorded rate is corrected for scorer error (``metrics.aggregate``)."""
    return "scorer_error" in (metric.get("details") or {})


def as_observed(metric: dict[str, Any]) -> dict[str, Any]:
    """A recorded rate as its observed rate (what its rows give) with that rate's interval:
    a rate corrected for scorer error records them in ``details`` (``observed``,
    ``observed_ci_low``, ``observed_ci_high``); another rate is returned as it is. The tests of
    a comparison run over the rows, so a difference beside the corrected figures was of
    other numbers than the ones shown."""
    if not _corrected(metric):
        return metric
    details = metric.get("details") or {}
    return {
        **metric,
        "value": details.get("observed"),
        "ci_low": details.get("observed_ci_low"),
        "ci_high": details.get("observed_ci_high"),
        "method": "observed rate, before the scorer-error correction",
    }


def _joined(note: str | None, more: str) -> str:
    """``more`` after a note already made (``OBSERVED_NOTE``), else ``more``."""
    return more if not note else f"{note}; {more}"


def _one_run(baseline: RunLog, candidate: RunLog) -> bool:
    """Whether both are one run: one run folder (through links, or another spelling of its
    path), or folders holding one run's files (a copy under another name)."""
    if baseline.run_id == candidate.run_id:
        return True
    try:
        return baseline.dir.resolve() == candidate.dir.resolve()
    except (OSError, RuntimeError):
        return False


def _redefinition(name: str, base_m: dict[str, Any], cand_m: dict[str, Any]) -> str | None:
    """The warning when metric ``name``, of one kind in both runs, is defined otherwise in each
    (its recorded spec, less ``SAME_MEASURE_KEYS``), else None: another expression, threshold
    or population (a ``where:``), whose figures measure different things or cases. A test of
    one against the other is no evidence of a regression or of none (a rate made its opposite
    read as a significant regression), so the metric is not compared, as one of another kind
    is not."""
    spec_a, spec_b = measure(base_m), measure(cand_m)
    if spec_a == spec_b:
        return None
    shown_a, shown_b = shown(spec_a), shown(spec_b)
    return (
        f"metric {name} is defined differently in the two runs (baseline {shown_a}, candidate "
        f"{shown_b}): its figures measure different things or cases, so it is not compared; "
        "give a new definition a new metric id, or compare runs of one suite version"
    )


def _rescored(name: str, changes: list[str]) -> str:
    """The warning for metric ``name``, defined alike in both runs, whose figure reads a scorer
    set otherwise in each (``scorersettings.changed_scorers``: another threshold, pattern,
    model or version): the same text measures another thing, so it is not compared."""
    return (
        f"metric {name} reads a scorer set otherwise in the two runs ({'; '.join(changes)}): "
        "its figures measure different things, so it is not compared; compare runs whose "
        "scorers are set alike, or give the new setting a new scorer and metric id"
    )


def _a(kind: Any) -> str:
    """``a rate``, ``an interval``, ``no kind``: a metric kind in a sentence."""
    if not kind:
        return "of no recorded kind"
    text = str(kind)
    return f"{'an' if text[:1].lower() in 'aeiou' else 'a'} {text}"


def _odd_figures(name: str, runs: Iterable[tuple[RunLog, str, dict[str, Any]]]) -> list[str]:
    """A warning for each run whose recorded figures of metric ``name`` hold one that is not
    a number (``odd_figure``), naming the file and the entry."""
    found: list[str] = []
    for run, role, metric in runs:
        odd = odd_figure(metric)
        if odd is not None:
            key, shown = odd
            found.append(
                f"the {role} run {run.run_id}: {run.dir / 'summary.json'}: metrics.{name}.{key} is "
                f"{shown}, not a finite number, so {name} is not compared; run the suite again, "
                "or fix the metric plugin that wrote it"
            )
    return found


def _group_items(
    parent: MetricComparison,
    base_m: dict[str, Any],
    cand_m: dict[str, Any],
    values_a: list[RowValue] | None,
    values_b: list[RowValue] | None,
    **test_options: Any,
) -> list[MetricComparison]:
    base_groups = base_m.get("groups") or {}
    cand_groups = cand_m.get("groups") or {}
    items: list[MetricComparison] = []
    for name in [g for g in cand_groups if g in base_groups]:
        gb, gc = base_groups[name], cand_groups[name]
        if parent.kind == "rate" and (_corrected(gb) or _corrected(gc)):
            gb, gc = as_observed(gb), as_observed(gc)
        item = MetricComparison(
            metric=parent.metric,
            kind=parent.kind,
            baseline=_figure(gb),
            candidate=_figure(gc),
            direction=parent.direction,
            direction_source=parent.direction_source,
            group=str(name),
        )
        items.append(item)
        if odd_figure(gb) or odd_figure(gc):
            item.verdict = "no_data"
            item.note = "a figure in at least one run is not a number: nothing to compare"
            continue
        if gb.get("value") is None or gc.get("value") is None:
            item.verdict = "no_data"
            continue
        with_kind = {**gb, "kind": parent.kind, "spec": base_m.get("spec")}
        cand_kind = {**gc, "kind": parent.kind, "spec": cand_m.get("spec")}
        test = _test_metric(
            with_kind,
            cand_kind,
            values_a,
            values_b,
            group=str(name),
            **test_options,
        )
        if isinstance(test, str):
            item.note = _joined(item.note, test)
        else:
            item.test = test
            _show_compared(item, test)
            if left_out := _left_out(test):
                item.note = _joined(item.note, left_out)
    return items


def _largest_change(kind: str | None) -> tuple[float, str] | None:
    """The most a metric of this kind can change between two runs, and its range as words
    (``[0, 1]``); None when the kind's values are not bounded (or the kind is unknown here)."""
    if not kind:
        return None
    from ..metrics.base import metric_kinds

    try:
        bounds = metric_kinds.get(kind).value_range
    except Exception:  # unknown or unloadable kind: no bounds to go by
        return None
    if bounds is None:
        return None
    low, high = bounds
    return high - low, f"[{low:g}, {high:g}]"


def _check_reachable(result: Comparison, min_effect: float) -> None:
    """A ``min_effect`` above the most a compared metric can change never lets that metric
    regress: where that holds for every metric tested, the comparison could never flag
    anything, so it is refused; else each such metric is named in a warning. Known only
    here, from the kinds the runs record: the option applies to every metric at once, and
    a mean's change of 2 (words, seconds) is as real as a rate's of 0.02."""
    tested = [m for m in result.metrics if m.test is not None]
    beyond: list[tuple[str, float]] = []
    for item in tested:
        largest = _largest_change(item.kind)
        if largest is not None and min_effect > largest[0]:
            most, bounds = largest
            beyond.append((f"{item.metric} (a {item.kind}, in {bounds}: {most:g} at most)", most))
    if not beyond:
        return
    if len(beyond) == len(tested):
        named = "; ".join(text for text, _ in beyond)
        raise UsageError(
            f"--min-effect {min_effect:g}: no compared metric can change that much, "
            f"{named}; give at most {max(most for _, most in beyond):g}"
        )
    for text, _ in beyond:
        result.warnings.append(
            f"--min-effect {min_effect:g} is more than {text} can change: "
            "it cannot regress in this comparison"
        )


def _judge(items: list[MetricComparison], *, alpha: float, min_effect: float) -> None:
    """Holm across this family, then a verdict for each tested item."""
    adjusted = stats.holm([m.test.p_value if m.test else None for m in items])
    for item, p_adj in zip(items, adjusted, strict=True):
        if item.test is None:
            continue
        item.p_adjusted = p_adj
        significant = p_adj is not None and p_adj < alpha
        diff = item.test.diff
        if not significant:
            item.verdict = "unchanged"
        elif abs(diff) < min_effect:
            item.verdict = "unchanged"
            item.note = _joined(
                item.note, f"significant, but smaller than --min-effect {min_effect:g}"
            )
        elif item.direction is None:
            item.verdict = "changed"
            item.note = _joined(
                item.note,
                "significant change; direction unknown (no gate on this metric); use "
                "--higher-is-better or --lower-is-better to judge it",
            )
        else:
            better = diff > 0 if item.direction == "higher" else diff < 0
            item.verdict = "improved" if better else "regressed"
