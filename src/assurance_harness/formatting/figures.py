"""Figures for people: one number format, one dash for "missing", one way to write a gate.

The report, the register views, comparisons, the pytest plugin and the web UI all call these,
so the same figure reads the same everywhere (before: 3 significant digits and ``-`` in the
register, 4 and ``–`` in the report, 3 decimals and ``—`` in the CLI).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..limits import side

DIGITS = 4
"""Significant digits of a figure: enough for an interval edge (0.09187), short in a table."""

MISSING = "–"
"""An en dash where a value is missing (no data, not measured, not applicable)."""

_BOUND_WORDS = {"point": "point estimate", "upper": "upper bound", "lower": "lower bound"}


def num(value: Any, digits: int = DIGITS) -> str:
    """A figure: ``digits`` significant digits for floats, integers as they are, ``true`` or
    ``false``, ``NaN`` for an undefined value and ``–`` for a missing one."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return f"{value:.{digits}g}"
    return str(value)


def signed(value: float | None) -> str:
    """A difference with its sign always shown (``+0.02``, ``-0.1``)."""
    if value is None:
        return MISSING
    if math.isnan(value):
        return "NaN"
    return f"{value:+.{DIGITS}g}"


def p_value(value: float | None, *, alpha: float | None = None) -> str:
    """A p-value: three decimals, ``<0.001`` below that. ``alpha``: the level it is judged at
    (significant below it), which the text must not cross: more decimals where three would
    put it on or over ``alpha`` (an adjusted p of 0.0496 read "0.050" beside "regressed"),
    and no ``<0.001`` where ``alpha`` is below that."""
    if value is None:
        return MISSING
    if value < 0.001 and (alpha is None or alpha > 0.001):
        return "<0.001"
    return _widened(
        lambda decimals: f"{value:.{decimals}f}",
        3,
        lambda text: (
            (alpha is not None and (float(text) < alpha) != (value < alpha))
            or float(text) == 0 < value
        ),  # below 0.001 beside a smaller alpha: its first digit
    )


def percent(fraction: float) -> str:
    """A fraction as a percentage, as precise as it was set (``10%``, ``2.5%``, ``99.9%``):
    a limit rounded to a whole percent read 0.025 as "2%", which a passing 2.4% is over."""
    return f"{round(fraction * 100, 6):g}%"


def percent_beside(fraction: float, limit: float) -> str:
    """A measured fraction beside its ``limit``, as a percentage: one decimal, and more where
    one would put it on or across the limit (an error rate of 0.1004 read "10.0%" beside a
    limit of 10%, which it had exceeded)."""
    text = _widened(
        lambda decimals: f"{fraction * 100:.{decimals}f}",
        1,
        # The run's error-rate limit is judged exactly (``store.runlog.run_status``): a count
        # over a count is the limit's own float when it equals it.
        lambda text: (
            side(float(text) / 100, limit, exact=True) != side(fraction, limit, exact=True)
        ),
    )
    return f"{text}%"


def error_rate_and_limit(counts: Mapping[str, Any]) -> tuple[str, str]:
    """A run's error rate and its ``max_error_rate``, for a line that says the run failed on
    them: the limit as written, and the rate with the digits that keep it on its side of it
    (judged exactly: ``store.runlog.run_status``). At four digits 1 of 9 (0.1111111) read
    "error rate 0.1111 above 0.1111" under a limit of 0.11111."""
    rate, limit = counts.get("error_rate"), _limit_value(counts.get("max_error_rate"))
    shown = num(rate)
    if isinstance(rate, float) and math.isfinite(rate) and limit is not None:
        shown = _widened(
            lambda digits: num(rate, digits),
            DIGITS,
            lambda text: side(float(text), limit, exact=True) != side(rate, limit, exact=True),
        )
    return shown, _exact(counts.get("max_error_rate"))


def level(confidence: float) -> str:
    """A confidence level as a percentage, as precise as it was set (``95%``, ``99.9%``,
    ``97.5%``): rounded to a whole percent, a 0.999 interval read "100%" (every value) and a
    0.975 one "98%"."""
    return percent(confidence)


def gate_level(gate: Mapping[str, Any], metrics: Mapping[str, Any]) -> float | None:
    """The level of a gate's interval: its metric's recorded one (``metrics``: a summary's,
    by id), None where none is known. A gate's record holds no level of its own."""
    metric = metrics.get(str(gate.get("metric")))
    return recorded_level(metric.get("confidence") if isinstance(metric, Mapping) else None)


def recorded_level(recorded: Any) -> float | None:
    """A recorded confidence level, None where it is not one (missing, null, or an odd
    plugin's text): every view labels an interval with the level it was computed at or with
    none, never with a 95% nobody recorded."""
    if isinstance(recorded, bool) or not isinstance(recorded, int | float):
        return None
    return float(recorded) if 0 < recorded < 1 else None


def num_beside(value: Any, gate: Mapping[str, Any]) -> str:
    """A figure shown beside a gate's limits: ``num``'s digits, and more where those would put
    it on a limit or across one (a mean of 0.100004 failing ``≤ 0.1`` read "0.1", a figure
    that passes), until the text stands on the same side of each limit as the figure does
    (``limits.side``: a figure on a limit within rounding noise reads as the limit). Beside a
    gate that failed, the exact side too: a summary written before 2026-12-07 failed a figure
    1 ulp over its limit, which must not read as the limit beside "fail"."""
    text = num(value)
    if not isinstance(value, float) or not math.isfinite(value):
        return text
    limits = [_limit_value(gate.get(key)) for key in ("max", "min")]
    rules = (False, True) if gate.get("verdict") == "fail" else (False,)
    return _widened(
        lambda digits: num(value, digits),
        DIGITS,
        lambda text: any(
            limit is not None
            and side(float(text), limit, exact=exact) != side(value, limit, exact=exact)
            for limit in limits
            for exact in rules
        ),
    )


def _widened(shown: Callable[[int], str], digits: int, misleads: Callable[[str], bool]) -> str:
    """``shown(digits)``, with one more digit at a time while ``misleads`` says the text reads
    on another side of a limit than the figure stands (up to 17: a float's every digit)."""
    text = shown(digits)
    while digits < 17 and misleads(text):
        digits += 1
        text = shown(digits)
    return text


def _limit_value(limit: Any) -> float | None:
    """A gate's limit as a number, None where it has none (or a damaged record holds text)."""
    if isinstance(limit, bool) or not isinstance(limit, int | float):
        return None
    return float(limit)


def _exact(limit: Any) -> str:
    """A gate's limit as written: ``num``'s text where it reads the same number, else the
    shortest text that does (a limit of 0.12345 read "0.1235")."""
    text = num(limit)
    if isinstance(limit, float) and math.isfinite(limit) and float(text) != limit:
        return repr(limit)
    return text


def interval(low: Any, high: Any, *, beside: Mapping[str, Any] | None = None) -> str:
    """``[0.09187, 0.3628]``; ``[–, 8]`` where only one end exists (a quantile whose other
    bound would be the sample's extreme, which covers too rarely): that bound is published
    and a gate may check it, so "–" alone would hide it. ``–`` when both ends are missing.
    ``beside``: the gate the interval is shown with, whose checked bound must not read as
    its limit (``num_beside``)."""
    if low is None and high is None:
        return MISSING
    if beside is not None:
        return f"[{num_beside(low, beside)}, {num_beside(high, beside)}]"
    return f"[{num(low)}, {num(high)}]"


def labelled_interval(
    low: Any, high: Any, confidence: float | None, *, beside: Mapping[str, Any] | None = None
) -> str:
    """``99.9% [0.1495, 1]``: an interval with its level in front, as the run's console table
    shows it; the level left out where it is unknown (never taken for 95%), and ``–`` when
    there is no interval. ``beside``: as ``interval``'s."""
    if low is None and high is None:
        return MISSING
    shown = interval(low, high, beside=beside)
    return shown if confidence is None else f"{level(confidence)} {shown}"


def figure(
    value: Any,
    low: Any = None,
    high: Any = None,
    n: Any = None,
    *,
    confidence: float | None = None,
    beside: Mapping[str, Any] | None = None,
) -> str:
    """``0.02 [0.005, 0.06] 95% CI (n=118)``: a figure with its interval and sample size.

    The interval part is left out when the figure has none; the level when it is unknown.
    ``beside``: the gate the figure is shown with, whose limits no figure may round onto or
    across (``num_beside``): a lower bound of 0.79996 read "[0.8, 0.9]" beside "≥ 0.8" and
    a failed verdict.
    """
    shown = num if beside is None else (lambda v: num_beside(v, beside))
    text = shown(value)
    if low is not None or high is not None:
        text += f" [{shown(low)}, {shown(high)}]"
        if confidence is not None:
            text += f" {level(confidence)} CI"
    return f"{text} (n={num(n)})"


def metric_figure(
    metric: Mapping[str, Any] | None, *, beside: Mapping[str, Any] | None = None
) -> str:
    """A recorded metric (``value``, ``ci_low``, ``ci_high``, ``n``, ``confidence``) as
    ``figure`` writes it; an interval without a recorded level is unlabelled: a ledger record
    whose metric recorded none read "95% CI" for a level nobody knew. ``beside``: the gate it
    is shown with (``figure``'s)."""
    if not metric:
        return MISSING
    return figure(
        metric.get("value"),
        metric.get("ci_low"),
        metric.get("ci_high"),
        metric.get("n"),
        confidence=recorded_level(metric.get("confidence")),
        beside=beside,
    )


def bound(gate: Mapping[str, Any]) -> str:
    """What a gate checks: ``point estimate``, ``upper bound`` or ``lower bound``."""
    which = str(gate.get("bound") or "point")
    return _BOUND_WORDS.get(which, which)


def threshold(gate: Mapping[str, Any]) -> str:
    """A gate's limits: ``≤ 0.01``, ``≥ 0.9`` or both joined by ``and``."""
    parts = []
    if gate.get("max") is not None:
        parts.append(f"≤ {_exact(gate['max'])}")
    if gate.get("min") is not None:
        parts.append(f"≥ {_exact(gate['min'])}")
    return " and ".join(parts) or MISSING


def gate_rule(gate: Mapping[str, Any] | None) -> str:
    """A gate in one phrase: ``upper bound ≤ 0.01``."""
    if not gate:
        return MISSING
    limits = threshold(gate)
    if limits == MISSING:
        return MISSING
    return f"{bound(gate)} " + limits.replace(" and ", f" and {bound(gate)} ")


def group_name(name: Any) -> str:
    """A group's label as listed beside figures: as it is, but quoted (``""``, as JSON writes
    it) where it is empty or only spaces, which showed as nothing ("fail groups: , x")."""
    text = str(name)
    return text if text.strip() else json.dumps(text)


def failing_groups_text(gate: dict[str, Any] | None) -> str:
    """A gate's failing groups as a phrase (empty where none): those whose figure broke the
    limit, then those that failed for having no figure on its bound (``groups_without_data``:
    too few cases for an interval, every request failed), ``"x; without a figure: y"``. Listed
    as one "failing" list, a group whose every counterfactual pair had a delta of exactly 0
    read as where the bias was."""
    gate = gate or {}
    groups = gate.get("failing_groups")
    groups = groups if isinstance(groups, list) else []
    without = gate.get("groups_without_data")
    without = without if isinstance(without, list) else []
    failing = [g for g in groups if g not in without]
    parts = [", ".join(map(group_name, failing))] if failing else []
    absent = [g for g in without if g in groups]
    if absent:
        parts.append(f"without a figure: {', '.join(map(group_name, absent))}")
    return "; ".join(parts)


def no_case_text(gate: dict[str, Any] | None) -> str:
    """For a failed gate whose failing groups (with a figure) name no worst case, that no
    single case pushed them toward failing (empty otherwise): none of their rows did, and the
    rows of groups that passed are not theirs to show (``engine._worst_cases_of``). Without it
    a report said only that failing gates name no cases, "for example a disparity"."""
    gate = gate or {}
    groups = gate.get("failing_groups")
    without = gate.get("groups_without_data")
    without = without if isinstance(without, list) else []
    failing = (
        [group_name(g) for g in groups if g not in without] if isinstance(groups, list) else []
    )
    if gate.get("verdict") != "fail" or gate.get("worst_cases") or not failing:
        return ""
    if len(failing) == 1:
        return (
            f"no single case pushed group {failing[0]} toward failing; it failed on its own "
            "figures, shown beside the gate"
        )
    return (
        f"no single case pushed groups {', '.join(failing)} toward failing; they failed on "
        "their own figures, shown beside the gate"
    )


def interval_note(gate: dict[str, Any] | None, metric: dict[str, Any] | None) -> str | None:
    """Why a gate's figure shows no interval, or one bound only (a mean of too few cases, a
    quantile's bound past the sample): its metric's ``no_bound_reason``, for a gate that has a
    value and was judged (a gate without data says why in its own reason). Without it the
    terminal's gate table and JUnit showed "–" where an interval belongs, and nothing else."""
    gate, details = gate or {}, (metric or {}).get("details") or {}
    if gate.get("verdict") == "no_data" or gate.get("value") is None:
        return None
    if gate.get("no_data_reason"):
        return None  # judged on its groups alone: why the overall figure has none is said there
    if gate.get("ci_low") is not None and gate.get("ci_high") is not None:
        return None
    reason = details.get("no_bound_reason")
    return reason if isinstance(reason, str) and reason else None


VALUE_KINDS = frozenset({"rate", "mean", "quantile"})
"""Kinds whose ``details.n_skipped`` counts rows where the expression gave no value (null, a
failed request, a missing field): other kinds' skipped rows are unpaired variants, groups too
small to compare ... which "no value" would misname."""


def coverage_notes(metric: dict[str, Any] | None) -> list[str]:
    """What a recorded metric's figures leave out, each a phrase for the line or cell that shows
    them: rows a rate, mean or quantile skipped ("n=2, 1 row skipped: no value", and the metric's
    ``skipped_reason`` where a scorer could not read its answer on some of them) and rows in no
    ``by:`` group ("1 row has no meta.group: in no group"), and a BBQ figure's unread answers
    and items with no option naming a stereotyped group (``bbq_bias``). Without them an
    overall n of 6 beside groups holding 5, or an n of 2 for 3 cases, did not say where the
    rows went."""
    metric = metric or {}
    details = metric.get("details") or {}
    notes: list[str] = []
    skipped, n = _count(details.get("n_skipped")), _count(metric.get("n"))
    if metric.get("kind") in VALUE_KINDS and skipped and n:  # n=0: the no-data reason says it
        rows = "1 row" if skipped == 1 else f"{skipped} rows"
        why = details.get("skipped_reason")  # a scorer that could not read some answers
        notes.append(
            f"n={n}, {rows} skipped: {_skipped_kinds(skipped, details)}"
            + (f"; {why}" if isinstance(why, str) else "")
        )
    unread = _unread_pairs(details) if metric.get("kind") in PAIR_KINDS else None
    if unread:
        notes.append(unread)
    by = (metric.get("spec") or {}).get("by")
    no_group = _count(details.get("n_no_group"))
    if no_group:
        rows = "1 row has" if no_group == 1 else f"{no_group} rows have"
        notes.append(f"{rows} no {by or 'group value'}: in no group")
    unread_answers = _count(details.get("unreadable"))
    if metric.get("kind") == "bbq" and unread_answers:
        notes.append(_unread_answers(metric, unread_answers, _count(details.get("answers"))))
    untargeted = _count(details.get("items_without_target"))
    if metric.get("kind") == "bbq" and untargeted:
        items = _count(details.get("items"))
        of = f" of {items}" if items else ""
        verb, them = ("has", "it") if untargeted == 1 else ("have", "them")
        if details.get("statistic") == "accuracy":
            notes.append(
                f"{untargeted}{of} items {verb} no option naming a stereotyped group, so "
                f"{them} {'is' if untargeted == 1 else 'are'} left out of the accuracy, as "
                "BBQ's own analysis leaves such items out"
            )
        else:
            notes.append(
                f"{untargeted}{of} items {verb} no option naming a stereotyped group, so no "
                f"answer to {them} can count as biased or unbiased: the bias score rests on the "
                "others (BBQ's own analysis leaves such items out)"
            )
    return notes


def _unread_answers(metric: dict[str, Any], unread: int, answers: int) -> str:
    """A BBQ figure's answers no option was read from: left out (neither right nor wrong), or
    counted as wrong where the spec says ``unreadable: counted`` (runs before 2026-12-07)."""
    params = (metric.get("spec") or {}).get("bbq")
    counted = isinstance(params, dict) and params.get("unreadable") == "counted"
    of = f" of {answers}" if answers else ""
    were = "answer" if unread == 1 and not answers else "answers"
    if counted:
        return f"{unread}{of} {were} could not be read as an option: counted as wrong answers"
    return (
        f"{unread}{of} {were} could not be read as an option: neither right nor wrong, so left "
        "out of the accuracy and the bias score"
    )


PAIR_KINDS = frozenset({"flip-rate", "attack-success"})
"""Kinds that compare a variant's answer with its original's (``metrics.robustness``)."""


def _unread_pairs(details: dict[str, Any]) -> str | None:
    """The pairs a flip rate or attack success left out because a scorer could not read an
    answer on one side ("1 original and 2 variants unread ...: empty answer"): an empty
    original read as a refusal made each answered variant of it a flip, so they are named."""
    originals = _count(details.get("n_unread_originals"))
    variants = _count(details.get("n_unread_variants"))
    if not originals and not variants:
        return None
    said = [
        f"{n} {word if n == 1 else word + 's'}"
        for n, word in ((originals, "original"), (variants, "variant"))
        if n
    ]
    why = details.get("unread_reason")
    return f"{' and '.join(said)} unread, their pairs left out" + (
        f": {why}" if isinstance(why, str) and why else ""
    )


def _skipped_kinds(skipped: int, details: dict[str, Any]) -> str:
    """What the skipped rows were: failed requests (``n_skipped_failed``, where recorded) and
    the rest with no value: "3 failed requests, 1 with no value", "no value" where none
    failed (or a run made before they were counted)."""
    failed = min(_count(details.get("n_skipped_failed")), skipped)
    if not failed:
        return "no value"
    text = "1 failed request" if failed == 1 else f"{failed} failed requests"
    return text + (f", {skipped - failed} with no value" if skipped > failed else "")


def _count(value: Any) -> int:
    """A recorded count, 0 for anything that is none (a damaged summary's text, a bool)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def when(value: dt.datetime | str | None) -> str:
    """A timestamp to the minute, in UTC (``2026-12-02 07:10 UTC``); text that is not a
    timestamp is returned as it is."""
    if value is None or value == "":
        return MISSING
    try:
        parsed = (
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if isinstance(value, str)
            else value
        )
        if parsed.tzinfo is not None:
            # Overflows for a time whose UTC is outside the calendar (year 9999 at -14:00).
            parsed = parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return str(value)
    return parsed.strftime("%Y-%m-%d %H:%M UTC")


CUT_OFF = "cut off at max_tokens: raise max_tokens under generation"
FILTERED = "cut by the deployment's content filter"
ENDED_BY_ERROR = "ended by an error or abort on the endpoint partway through"

INCOMPLETE = {
    # Cut off at the token limit: OpenAI and vLLM ``length``; Anthropic, Bedrock, Gemini and
    # Cohere ``max_tokens`` (Gemini and Cohere in capitals).
    "length": CUT_OFF,
    "max_tokens": CUT_OFF,
    # Cut or withheld by a filter: OpenAI/Azure ``content_filter``; Gemini ``SAFETY``,
    # ``RECITATION``, ``PROHIBITED_CONTENT``, ``BLOCKLIST``, ``SPII``, ``IMAGE_SAFETY``;
    # Anthropic ``refusal``; Cohere ``ERROR_TOXIC``; Bedrock ``guardrail_intervened``,
    # ``content_filtered``.
    "content_filter": FILTERED,
    "content_filtered": FILTERED,
    "safety": FILTERED,
    "recitation": FILTERED,
    "prohibited_content": FILTERED,
    "blocklist": FILTERED,
    "spii": FILTERED,
    "image_safety": FILTERED,
    "refusal": FILTERED,
    "error_toxic": FILTERED,
    "guardrail_intervened": FILTERED,
    # Ended by an error partway: OpenRouter and others ``error``, Cohere ``ERROR``, vLLM
    # ``abort``.
    "error": ENDED_BY_ERROR,
    "abort": ENDED_BY_ERROR,
}
"""Finish reasons of an answer its endpoint did not complete, lower-cased, and what each
means: providers spell them their own way and in their own case (Gemini ``MAX_TOKENS``), and
one known only in OpenAI's spelling let a Gemini answer cut at its limit read as whole."""


UNREADABLE = "a finish reason that is not text: how the answer ended is not known, it may be cut"

_NOT_TEXT = re.compile(r"[\[{].*|-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null", re.DOTALL)
"""A finish reason recorded as the JSON of a value that is not text (an object, a list, a
number, a boolean): how the targets record one (``targets._messages.finish_reason_text``)."""


def incomplete_meaning(reason: Any) -> str | None:
    """What a finish reason says of an answer its endpoint did not complete (``CUT_OFF``,
    ``FILTERED``, ``ENDED_BY_ERROR``), in any provider's spelling and case; ``UNREADABLE`` for
    one recorded as the JSON of a value that is not text (``5``, ``{"x": 1}``, ``["a", "b"]``),
    which no provider's spelling is and which says nothing of how the answer ended; None for
    one that ended (``stop``, ``STOP``, ``end_turn``), other text, or none."""
    if not isinstance(reason, str):
        return None
    if _NOT_TEXT.fullmatch(reason):
        return UNREADABLE
    return INCOMPLETE.get(reason.lower())


def incomplete_answer(reason: Any) -> str | None:
    """``not complete (length): cut off at max_tokens ...`` for one answer whose results row
    records a finish reason its endpoint did not complete it with, named as the endpoint spelled
    it (``may not be complete (5): ...`` for one that is not text); None for any other
    (``stop``, unknown, none): what a report shows beside a listed answer's text."""
    meaning = incomplete_meaning(reason)
    if meaning is None:
        return None
    maybe = "may not be complete" if meaning == UNREADABLE else "not complete"
    return f"{maybe} ({reason}): {meaning}"


def row_incomplete(row: Mapping[str, Any]) -> str | None:
    """``incomplete_answer`` of one results row, None for a row whose request failed (its
    error is what shows): every view that lists an answer beside its scores marks a cut-off
    one with this, so no reader judges half an answer as a whole one."""
    return None if row.get("error") else incomplete_answer(row.get("finish_reason"))


def incomplete_line(counts: Mapping[str, Any]) -> str | None:
    """``not complete: 3 of 6 answers ... length 2 (...)`` from a run's summary ``counts``; None
    when every answer was complete (or its endpoint reports no finish reason). A cut-off
    answer is still the system's answer and is scored as it came, but a rate over half-answers
    is not one over answers: said where the verdicts are read (``assurance run``, every report
    format), not only in responses.jsonl."""
    reasons = counts.get("finish_reasons")
    if not isinstance(reasons, Mapping):  # a run made before they were counted
        return None
    found = [(reason, _count(n)) for reason, n in reasons.items() if incomplete_meaning(reason)]
    found = sorted(((reason, n) for reason, n in found if n), key=lambda kv: -kv[1])
    if not found:
        return None
    total = sum(n for _, n in found)
    answers = _count(counts.get("responses")) or total
    kinds = ", ".join(f"{reason} {n} ({incomplete_meaning(reason)})" for reason, n in found)
    unsaid = any(incomplete_meaning(reason) == UNREADABLE for reason, _ in found)
    return (
        f"not complete: {total} of {answers} answers were scored as they came though the "
        f"endpoint did not complete them{' (or did not say in text how)' if unsaid else ''}: "
        f"{kinds}"
    )
