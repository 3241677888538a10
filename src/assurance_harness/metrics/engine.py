"""Compute a suite's metrics over scored rows, then judge its gates.

``where`` filters rows and ``by`` splits them into groups for every metric kind; a kind that
compares groups itself (disparity) takes its grouping as a parameter instead.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..formatting.figures import VALUE_KINDS, group_name
from ..limits import meets, side
from ..rowkeys import case_key
from ._grouping import number
from .asked_level import at_asked_level
from .base import MetricContext, MetricValue, Row
from .expr import evaluate, groups_left_out_unmeasured

if TYPE_CHECKING:
    from ..spec.loader import MetricSpec
    from ..spec.suite import GateSpec

MAX_WORST_CASES = 10


def compute_metric(
    spec: MetricSpec, rows: list[Row], *, seed: int, resamples: int = 2000
) -> MetricValue:
    ctx = MetricContext(seed=seed, confidence=spec.confidence, bootstrap_resamples=resamples)
    selected = [r for r in rows if spec.where is None or evaluate(spec.where, r)]
    kind = spec.kind_cls()
    overall = kind.compute(selected, spec.params, ctx)
    _note_unread(spec, overall, selected)
    if overall.value is None:
        overall.details["no_data_reason"] = why_no_data(
            spec, rows, selected, reason=overall.details.get("reason")
        )
    if spec.by:
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in selected:
            key = evaluate(spec.by, row)
            if key is not None:
                groups[str(key)].append(row)
        # Counted in the overall figure but in no group: said beside it (``coverage_notes``).
        # Recorded only where there are any, so other summaries keep their shape.
        no_group = len(selected) - sum(len(m) for m in groups.values())
        if no_group:
            overall.details["n_no_group"] = no_group
        overall.groups = {
            name: kind.compute(members, spec.params, ctx)
            for name, members in sorted(groups.items())
        }
        for name, group in overall.groups.items():
            _note_unread(spec, group, groups[name])
            if group.value is None:
                members = groups[name]
                reason = group.details.get("reason")
                group.details["no_data_reason"] = why_no_data(spec, members, members, reason=reason)
        if len(selected) < len(rows) and groups_left_out_unmeasured(spec.by, str(spec.where)):
            left_out: dict[str, int] = defaultdict(int)
            for row in rows:
                key = evaluate(spec.by, row)
                if key is not None and str(key) not in groups:
                    left_out[str(key)] += 1
            add_groups_left_out(spec, overall, left_out, kind.compute([], spec.params, ctx))
    return at_asked_level(spec.kind, overall, spec.confidence)


def add_groups_left_out(
    spec: MetricSpec, overall: MetricValue, left_out: dict[str, int], empty: MetricValue
) -> None:
    """Each group whose every row ``where`` left out, as a group without data (``empty``, the
    kind's value of no row): unpublished, a gate every group must pass passed without it,
    though nothing was measured of that group (``left_out``: its rows, by name). Only where
    ``expr.groups_left_out_unmeasured``: a ``where`` that reads ``meta.axis`` leaves the other
    axes' groups out on purpose."""
    if not left_out or overall.groups is None:
        return
    for name, count in left_out.items():
        group = copy.deepcopy(empty)
        group.details["no_data_reason"] = where_left_out(spec, count)
        # Marks the groups runs before 2026-12-06 did not publish (``register.summary_check``).
        group.details["left_out_by_where"] = count
        overall.groups[name] = group
    overall.groups = dict(sorted(overall.groups.items()))


def where_left_out(spec: MetricSpec, rows: int) -> str:
    """Why a metric, or a group of it, has no figure when ``where`` kept none of its rows."""
    return f"'where: {spec.where}' was false or null on all {rows} rows"


def why_no_data(
    spec: MetricSpec, rows: list[Row], selected: list[Row], *, reason: str | None = None
) -> str:
    """Why a metric counted no row, in words a suite author can act on: nothing was collected,
    ``where`` excluded every row, every request failed, the expression was null on each row
    (naming a scorer field no row has, which is what a typo in a field name looks like), or it
    had values of which the kind made no figure (``reason``: the kind's own, e.g. every group
    below ``min_group_size``)."""
    if not rows:
        return "no responses were collected"
    if not selected:
        return where_left_out(spec, len(rows))
    failed = sum(1 for r in selected if r.get("error") is not None)
    if failed == len(selected):
        return f"all {failed} requests failed, so nothing was scored"
    expr = reason_expr(spec)
    if expr is None:  # a kind that reads no one expression (bbq) says why itself
        return reason or f"no row of {len(selected)} gave a value"
    scored = [r for r in selected if r.get("error") is None]
    valued = sum(1 for r in scored if evaluate(expr, r) is not None)
    if valued:
        return no_figure(expr, valued, reason)
    presence = FieldPresence(expr)
    presence.add(scored)
    unread = {s: sum(1 for r in scored if unread_by(r, s)) for s in presence.scorers}
    return null_everywhere(
        expr,
        rows=len(selected),
        failed=failed,
        missing=presence.describe(),
        unread=unread,
        why=unread_whys(scored, presence.scorers),
    )


def reason_expr(spec: MetricSpec) -> str | None:
    """The expression a metric's no-data and skipped-row reasons name: its value or
    condition."""
    expr = next(
        (getattr(spec.params, k) for k in ("expr", "value", "refused") if hasattr(spec.params, k)),
        None,
    )
    return expr if isinstance(expr, str) else None


def _note_unread(spec: MetricSpec, value: MetricValue, rows: list[Row]) -> None:
    """``note_unread`` from rows: of the rows a rate, mean or quantile skipped (no value, as
    the kind reads it), those whose scorer could not read its answer."""
    expr = reason_expr(spec)
    if spec.kind not in VALUE_KINDS or expr is None or not value.details.get("n_skipped"):
        return
    if spec.kind == "rate":
        skipped = [r for r in rows if evaluate(expr, r) is None]
    else:
        skipped = [r for r in rows if number(evaluate(expr, r)) is None]
    note_failed(value, sum(1 for r in skipped if r.get("error") is not None))
    scorers = FieldPresence(expr).scorers
    if not scorers:
        return
    note_unread(
        value,
        {s: sum(1 for r in skipped if unread_by(r, s)) for s in scorers},
        unread_whys(skipped, scorers),
    )


def note_failed(value: MetricValue, failed: int) -> None:
    """Record, where there are any, how many of a metric's skipped rows were failed requests
    (``n_skipped_failed``): beside the figure they read "3 failed requests", not "no value",
    which sent the reader after a missing field where the model was never heard. The same
    from rows and from a streamed run's columns."""
    if failed:
        value.details["n_skipped_failed"] = failed


def note_unread(
    value: MetricValue, unread: dict[str, int], why: dict[str, dict[str, int]] | None = None
) -> None:
    """Record, where there are any, how many of a metric's skipped rows each scorer could not
    read its answer on (``n_skipped_unread``) and why they were skipped (``skipped_reason``,
    shown beside n by ``formatting.coverage_notes``): "1 row skipped: no value" alone sent the
    author after a missing field where the judge's replies were in a format it does not read.
    ``why``: per scorer, the reasons it gave (``unread_whys``). The same from rows and from a
    streamed run's columns."""
    counted = {scorer: count for scorer, count in unread.items() if count}
    if counted:
        value.details["n_skipped_unread"] = counted
        value.details["skipped_reason"] = "; ".join(unread_phrases(counted, why))


UNREAD_FIELD = "parse_error"
"""A scorer's output field, true on a row where the scorer could not read the answer it
scores (the llm-judge's reply that is no verdict): its other fields are null there."""
UNREAD_REASON_FIELD = "unread_reason"
"""Where a scorer says why it could not read an answer ("language_unsupported: written in
Polish, ...; the refusal scorer reads ..."), as the refusal scorer does."""
UNREAD_KINDS = {"language_unsupported": "language not supported", "empty_answer": "empty answer"}
"""The words a figure's note uses for a reason's kind (the text before its first ':')."""


def unread_by(row: Row, scorer: str) -> bool:
    """Whether ``scorer``'s output on this row says it could not read its answer."""
    output = (row.get("scores") or {}).get(scorer)
    return isinstance(output, dict) and output.get(UNREAD_FIELD) is True


def unread_why(row: Row, scorer: str) -> str | None:
    """Why ``scorer`` could not read this row's answer: its ``unread_reason`` up to the first
    ';' (the rest says what it does read, the same on every row), or None where it gave none."""
    output = (row.get("scores") or {}).get(scorer)
    reason = output.get(UNREAD_REASON_FIELD) if isinstance(output, dict) else None
    if not isinstance(reason, str) or not reason.strip() or not unread_by(row, scorer):
        return None
    return reason.split(";", 1)[0].strip()


def unread_whys(rows: Sequence[Row], scorers: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per scorer, how many of ``rows`` it left unread for each reason it gave."""
    out: dict[str, dict[str, int]] = {}
    for scorer in scorers:
        for row in rows:
            why = unread_why(row, scorer)
            if why is not None:
                counts = out.setdefault(scorer, {})
                counts[why] = counts.get(why, 0) + 1
    return out


def null_everywhere(
    expr: str,
    *,
    rows: int,
    failed: int,
    missing: str | None,
    unread: dict[str, int],
    why: dict[str, dict[str, int]] | None = None,
) -> str:
    """The reason for a metric whose expression was null on every row it selected, the one
    wording for rows (``why_no_data``) and a streamed run's columns: the fields no row has
    (a typo in a field name looks like this), and the scorers that could not read their
    answers (``unread``: rows with ``parse_error`` per scorer), a judge's reply in a format
    the scorer does not read, which no field name would explain."""
    text = f"'{expr}' was null on all {rows} rows"
    if failed:
        text += f" ({failed} of them failed requests)"
    found = [missing] if missing else []
    found += unread_phrases(unread, why)
    return text + (f": {'; '.join(found)}" if found else "")


def unread_phrases(
    unread: dict[str, int], why: dict[str, dict[str, int]] | None = None
) -> list[str]:
    """Each scorer that could not read its answers on ``count`` of the rows spoken of, the
    one wording for rows null everywhere (``null_everywhere``) and rows skipped beside a
    figure (``note_unread``). Where the scorer said why on each of them (``why``: an answer
    in a language it does not read), the phrase gives its reasons; otherwise it is a reply in
    a format the scorer does not read (a judge's), and the phrase says what to check."""
    phrases = []
    for scorer, count in unread.items():
        reasons = (why or {}).get(scorer) or {}
        if count and sum(reasons.values()) == count:
            phrases.append(_reasoned(scorer, count, reasons))
        elif count:
            phrases.append(
                f"scorer '{scorer}' could not parse the answer it was given on {count} of them"
                f" (scores.{scorer}.{UNREAD_FIELD} is true): check that the prompt it sends (a"
                " judge's rubric) asks for an answer in a format the scorer reads"
            )
    return phrases


def _reasoned(scorer: str, count: int, reasons: dict[str, int]) -> str:
    """ "scorer 'ref' could not score 3 of them: language not supported (written in Polish, by
    its common words: 2; written mostly in CJK script: 1; scores.ref.unread_reason)"."""
    kinds: dict[str, list[str]] = {}
    for reason, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        kind, _, detail = reason.partition(":")
        kinds.setdefault(UNREAD_KINDS.get(kind.strip(), kind.strip()), []).append(
            f"{detail.strip() or kind.strip()}: {n}"
        )
    said = " and ".join(f"{kind} ({'; '.join(details)})" for kind, details in kinds.items())
    return (
        f"scorer '{scorer}' could not score {count} of them: {said}"
        f" (scores.{scorer}.{UNREAD_REASON_FIELD})"
    )


def no_figure(expr: str, valued: int, reason: str | None) -> str:
    """The reason for a metric without a figure whose expression did have values: saying it
    was null on every row (as before) would send the author after a typo that is not there."""
    text = f"'{expr}' had a value on {valued} rows, but no figure could be made of them"
    return text + (f": {reason}" if reason else "")


class FieldPresence:
    """Which of an expression's ``scorer.field`` (``meta.X``, ``expected.X``) references some
    row has, gathered over rows that may come a chunk at a time (a streamed run)."""

    def __init__(self, expr: str) -> None:
        import ast

        from .expr import compile_expression

        self.refs = [
            (node.value.id, node.attr)
            for node in ast.walk(compile_expression(expr))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        ]
        self.outputs: set[str] = set()
        """Scorers with a dict of outputs on some row."""
        self.fields: set[tuple[str, str]] = set()
        """References some row has."""

    @property
    def scorers(self) -> list[str]:
        """The scorers the expression reads (not ``meta`` or ``expected``), in order."""
        return list(
            dict.fromkeys(s for s, _ in self.refs if s not in ("meta", "metadata", "expected"))
        )

    @property
    def complete(self) -> bool:
        """Every reference was found: more rows cannot change ``describe``."""
        return all(ref in self.fields for ref in self.refs)

    def add(self, rows: list[Row]) -> None:
        for scorer, field in self.refs:
            if (scorer, field) in self.fields:
                continue
            if scorer in ("meta", "metadata", "expected"):
                section = "metadata" if scorer != "expected" else "expected"
                if any(field in (r.get(section) or {}) for r in rows):
                    self.fields.add((scorer, field))
                continue
            outputs = [(r.get("scores") or {}).get(scorer) for r in rows]
            if any(isinstance(o, dict) for o in outputs):
                self.outputs.add(scorer)
            if any(isinstance(o, dict) and field in o for o in outputs):
                self.fields.add((scorer, field))

    def describe(self) -> str | None:
        found: list[str] = []
        for scorer, field in self.refs:
            if (scorer, field) in self.fields:
                continue
            if scorer in ("meta", "metadata", "expected"):
                found.append(f"no row has {scorer}.{field}")
            elif scorer not in self.outputs:
                found.append(f"no row has scores from '{scorer}'")
            else:
                found.append(f"scorer '{scorer}' wrote no field '{field}'")
        return "; ".join(dict.fromkeys(found)) or None


def compute_metrics(
    specs: list[MetricSpec], rows: list[Row], *, seed: int
) -> dict[str, MetricValue]:
    return {spec.id: compute_metric(spec, rows, seed=seed) for spec in specs}


def _checked(value: MetricValue, bound: str) -> float | None:
    if bound == "upper":
        return value.ci_high
    if bound == "lower":
        return value.ci_low
    return value.value


def _finite(figure: float | None) -> float | None:
    """A figure for the gate's record, None where it is NaN or infinite (JSON holds neither)."""
    return figure if figure is None or math.isfinite(figure) else None


def _passes(figure: float, gate: GateSpec, *, exact: bool = False) -> bool:
    return meets(figure, min=gate.min, max=gate.max, exact=exact)


class RowColumns(Protocol):
    """A streamed run's compact metric state (``metrics.columns.MetricColumns``)."""

    def worst_cases(
        self, spec: MetricSpec, gate: GateSpec, *, too_high: bool, groups: Sequence[str] = ()
    ) -> list[str]:
        """As ``worst_cases``: with ``groups``, theirs only (none where they have none)."""
        ...


def judge_gate(
    gate: GateSpec,
    value: MetricValue | None,
    spec: MetricSpec | None,
    rows: list[Row] | RowColumns,
    *,
    exact: bool = False,
    worst_of_all_rows: bool = False,
) -> dict[str, Any]:
    """One gate verdict: pass, fail, or no_data (which counts as a failure: absence of
    evidence is not evidence of safety). A figure on a limit within rounding noise meets it
    (``limits``); ``exact``: only an equal one, as summaries written before 2026-12-07 judged.
    ``worst_of_all_rows``: worst cases as summaries written before 2026-12-08 named them, the
    whole metric's where no failing group had one (``_worst_cases_of``)."""
    bound = gate.normalized_bound
    result: dict[str, Any] = {
        "id": gate.label,
        "metric": gate.metric,
        "max": gate.max,
        "min": gate.min,
        "bound": bound,
        "description": gate.description,
        "checked": None,
        "verdict": "no_data",
        "value": None,
        "ci_low": None,
        "ci_high": None,
        "n": 0,
        "failing_groups": [],
        "worst_cases": [],
    }
    if not gate.each_group:
        # Recorded only when set, so other summaries keep their shape; the review-aware view
        # re-judges the gate from the summary and must judge it the same way.
        result["each_group"] = False
    if value is None:
        result["no_data_reason"] = "the metric was not computed"
        return result
    result.update(
        value=_finite(value.value), ci_low=_finite(value.ci_low), ci_high=_finite(value.ci_high)
    )
    result["n"] = value.n
    figure = _checked(value, bound)
    result["checked"] = figure
    if figure is None:
        # A kind with a value but no bound says why in ``no_bound_reason``.
        reason = value.details.get("no_data_reason") or value.details.get("no_bound_reason")
        result["no_data_reason"] = reason or f"the metric has no {bound} figure"
    elif not math.isfinite(figure):
        # Nothing compares above or below NaN, so every gate passed on it; an infinity is
        # no bound (the kinds write None for one). Neither is evidence either way.
        result["checked"] = None
        result["no_data_reason"] = f"the metric's {bound} figure is not a finite number ({figure})"
        figure = None
    # Without an overall figure the groups are still judged: one whose own figure breaks the
    # limit is evidence of a failure, which "no data" hid (the golden run's groups a and b).
    verdict = figure is not None and _passes(figure, gate, exact=exact)
    if gate.each_group and value.groups:
        for name, group in value.groups.items():
            group_figure = _checked(group, bound)
            if group_figure is None or not math.isfinite(group_figure):
                # A group whose rows gave no data (every request failed, say) cannot be shown
                # to pass: absence of evidence is not evidence of safety, per group as overall.
                # Nor one whose figure is NaN (a plugin's), which met every limit, or infinite
                # (no bound), as the overall figure is judged above.
                result["failing_groups"].append(name)
                result.setdefault("groups_without_data", []).append(name)
                verdict = False
            elif not _passes(group_figure, gate, exact=exact):
                result["failing_groups"].append(name)
                verdict = False
    # A group that failed for having no data has no row to show, and the overall figure's rows
    # (when it passed) belong to groups that passed: they did not fail the gate.
    with_data = [
        name
        for name in result["failing_groups"]
        if name not in result.get("groups_without_data", ())
    ]
    if figure is None:
        # No overall figure: a failure only where a group's figure broke the limit; else
        # still no data (absence of evidence is not evidence of safety), naming the groups.
        result["verdict"] = "fail" if with_data else "no_data"
    else:
        result["verdict"] = "pass" if verdict else "fail"
    overall_failed = figure is not None and not _passes(figure, gate, exact=exact)
    if not verdict and spec is not None and (with_data or overall_failed):
        groups = value.groups or {}
        figures: list[float | None] = [figure]
        figures += [_checked(groups[name], bound) for name in with_data]
        too_high = _too_high(gate, [f for f in figures if f is not None], exact=exact)
        order = _worst_first(with_data, groups, bound, too_high=too_high)
        result["worst_cases"] = _worst_cases_of(
            spec,
            rows,
            gate,
            too_high=too_high,
            groups=order,
            overall=(overall_failed and _over_every_row(value)) or worst_of_all_rows,
        )
    return result


def _over_every_row(value: MetricValue) -> bool:
    """Whether the metric's own figure is over every counted row, not its furthest group's or
    worst stratum's (a paired delta, a metric ``within`` strata: ``overall_label``); only then
    are the whole metric's worst cases that figure's."""
    return all(value.details.get(key) is None for key in ("worst_group", "worst_stratum"))


def _worst_cases_of(
    spec: MetricSpec,
    rows: list[Row] | RowColumns,
    gate: GateSpec,
    *,
    too_high: bool,
    groups: list[str],
    overall: bool,
) -> list[str]:
    """A failed gate's worst cases, from rows or columns alike: its failing groups' (worst
    first), else, where ``overall`` (a failing figure over every row), the whole metric's.

    A failing group none of whose rows pushed it toward failing (it failed on its interval
    bound alone, or its bad rows were filtered out) names none: the whole metric's would be
    rows of groups that passed, evidence pointing a reader at the wrong group. Summaries
    written before 2026-12-08 named those (``overall`` set to judge them so).
    """

    def find(names: list[str]) -> list[str]:
        if isinstance(rows, list):
            return worst_cases(spec, rows, gate, too_high=too_high, groups=names)
        return rows.worst_cases(spec, gate, too_high=too_high, groups=names)

    found = find(groups)
    if groups and not found and overall:
        found = find([])
    return found


def _worst_first(
    names: list[str], groups: dict[str, MetricValue], bound: str, *, too_high: bool
) -> list[str]:
    """Failing groups ordered by how far they failed (groups without data last)."""

    def badness(name: str) -> float:
        figure = _checked(groups[name], bound) if name in groups else None
        if figure is None:
            return float("-inf")
        return figure if too_high else -figure

    return sorted(names, key=badness, reverse=True)


def _too_high(gate: GateSpec, figures: list[float], *, exact: bool = False) -> bool:
    """Whether the gate failed on its max (high values are bad) rather than its min.

    A gate with both a min and a max can fail on either side; the worst cases must be the
    rows on the side that failed, not always the high ones.
    """
    if gate.max is None:
        return False
    if gate.min is None:
        return True
    return any(side(f, gate.max, exact=exact) > 0 for f in figures) or not any(
        side(f, gate.min, exact=exact) < 0 for f in figures
    )


def worst_cases(
    spec: MetricSpec,
    rows: list[Row],
    gate: GateSpec,
    *,
    too_high: bool | None = None,
    groups: Sequence[str] = (),
) -> list[str]:
    """Keys (``case_id#sample``) of rows that pushed the metric toward failing its gate.

    With ``groups`` (the gate's failing groups, worst first) the cases come from those groups
    only, taking turns: a per-operator robustness gate that fails on ``leetspeak`` must show
    leetspeak's flips, not the first flips in the file from an operator that passed. None
    where those groups have none, or where the metric cannot tell a row's group: never
    another group's rows (``_worst_cases_of`` decides whether the overall's stand instead).
    """
    if too_high is None:
        too_high = gate.max is not None
    selected = [r for r in rows if spec.where is None or evaluate(spec.where, r)]
    if groups:
        per_group = _worst_per_group(spec, selected, list(groups), too_high=too_high)
        return _take_turns(per_group)[:MAX_WORST_CASES] if per_group else []
    return _worst(spec, selected, too_high=too_high)[:MAX_WORST_CASES]


def _worst_per_group(
    spec: MetricSpec, rows: list[Row], groups: list[str], *, too_high: bool
) -> list[list[str]] | None:
    """Each named group's worst cases; None when the metric cannot tell a row's group.

    A ``by:`` group's value was computed on its own rows, so its worst cases are too. A kind
    that groups itself (by perturbation operator, say) needs every row to pair variants with
    originals, so its cases are found on all rows and then sorted by the group of the case.
    """
    if spec.by:
        members: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            name = evaluate(spec.by, row)
            if name is not None:
                members[str(name)].append(row)
        return [_worst(spec, members[name], too_high=too_high) for name in groups]
    expr = spec.kind_cls().group_expression(spec.params)
    if expr is None:
        return None
    group_of = {case_key(r["case_id"], r["sample"]): evaluate(expr, r) for r in rows}
    keys = _worst(spec, rows, too_high=too_high)
    return [[k for k in keys if str(group_of.get(k)) == name] for name in groups]


def _take_turns(lists: list[list[str]]) -> list[str]:
    """Round-robin over the lists, so that every failing group shows its first cases."""
    out: list[str] = []
    for position in range(max((len(keys) for keys in lists), default=0)):
        out.extend(keys[position] for keys in lists if position < len(keys))
    return out


def _worst(spec: MetricSpec, selected: list[Row], *, too_high: bool) -> list[str]:
    """All the rows that pushed the value toward failing, worst first."""
    from_kind = spec.kind_cls().worst_cases(selected, spec.params, lower_is_better=too_high)
    if from_kind is not None:
        return from_kind
    expr = getattr(spec.params, "expr", None) or getattr(spec.params, "value", None)
    if not isinstance(expr, str):
        return []
    scored: list[tuple[float, str]] = []
    for row in selected:
        value = evaluate(expr, row)
        figure = number(value)
        if figure is None:
            continue
        # For a max gate the high values are the bad ones; for a min gate the low ones.
        badness = figure if too_high else -figure
        if spec.kind == "rate" and not (bool(value) if too_high else not bool(value)):
            continue
        scored.append((badness, case_key(row["case_id"], row["sample"])))
    scored.sort(key=lambda item: -item[0])
    return [key for _, key in scored]


def failing_group_figures(
    gate: dict[str, Any], metric: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Each failing group's own figures (name, value, ci_low, ci_high, n) from the metric's
    per-group values, for tables that show the gate: an overall ``0.005`` beside ``fail groups:
    girl`` reads as a pass unless the girl group's own ``0.150`` stands next to it."""
    groups = (metric or {}).get("groups") or {}
    out = []
    for name in gate.get("failing_groups") or []:
        figures = groups.get(name) or groups.get(str(name)) or {}
        out.append(
            {
                "name": str(name),
                "value": figures.get("value"),
                "ci_low": figures.get("ci_low"),
                "ci_high": figures.get("ci_high"),
                "n": figures.get("n", 0),
            }
        )
    return out


def overall_label(metric: dict[str, Any] | None) -> str:
    """What a gate's own figure is, where its failing groups' figures stand under it. Most
    metrics' value is over every counted row ("overall"); a paired delta's (and a metric
    ``within`` strata) is its furthest group's or worst stratum's, and "overall" beside n of
    every row would read as a mean over all of them."""
    details = (metric or {}).get("details") or {}
    for key, word in (("worst_group", "furthest"), ("worst_stratum", "worst stratum")):
        if details.get(key) is not None:
            return f"{word} ({group_name(details[key])})"
    return "overall"


def no_data_reason(gate: dict[str, Any], metric: dict[str, Any] | None) -> str | None:
    """Why a gate had no data (recorded on the gate, or on its metric by older runs' readers);
    for a gate with groups without data, why each of them has none, after why the overall
    figure has none where it has none ("overall: ...": a gate judged on its groups alone
    fails, or has no data, with a reason for both)."""
    groups = _groups_without_data(gate, metric)
    overall = gate.get("no_data_reason")
    if gate.get("verdict") == "no_data":
        details = (metric or {}).get("details") or {}
        overall = overall or details.get("no_data_reason")
    if overall and groups:
        return f"overall: {overall}; {groups}"
    return overall or groups


def _groups_without_data(gate: dict[str, Any], metric: dict[str, Any] | None) -> str | None:
    """ "group 'y': all 2 requests failed, ..." for each group the gate failed for having no
    data: its figures are blank beside the others', and the reason is on the metric's group.
    A group with a value but no figure on the gate's bound (too few cases for an interval)
    gives its ``no_bound_reason``: "no value" beside the group's value read as a contradiction
    and named no fix."""
    groups = (metric or {}).get("groups") or {}
    found = []
    for name in gate.get("groups_without_data") or []:
        group = groups.get(name) or groups.get(str(name)) or {}
        details = group.get("details") or {}
        reason = details.get("no_data_reason") or details.get("no_bound_reason")
        if not isinstance(reason, str) or not reason:
            has_value = group.get("value") is not None
            bound = gate.get("bound")
            reason = (
                f"no {bound} bound" if has_value and bound in ("upper", "lower") else "no value"
            )
        found.append(f"group '{name}': {reason}")
    return "; ".join(found) or None
