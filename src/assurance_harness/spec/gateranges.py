"""Gates whose threshold no value of their metric can meet, refused at ``validate``.

A metric kind with bounded values says so (``MetricKind.value_range``: a rate is a share from
0 to 1). A gate ``min: 90`` on a rate, meant as 90%, then fails every run whatever the system
did, and ``max: -0.1`` likewise: a gate that measures nothing. A threshold at or past the other
end (``max: 1``) is left alone: it can never fail on the figure, but it still fails where there
is no data, and suites use it for a gate that checks only ``min_validity``.

Two gates on one metric are refused likewise when no figure can meet both: one's ``min``
above the other's ``max`` on a figure no lower (``conflicting_gates``), and a gate whose bound
names a level its metric's interval is not at (``bound_levels``).

Two gates under one id are refused too (``duplicate_gate_ids``): the ledger and the reports key
on it, so one gate's verdict would hide the other's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ConfigIssue

if TYPE_CHECKING:
    from ..store.yaml_lines import LineOf
    from .loader import MetricSpec
    from .suite import GateSpec


def _fix(threshold: float, low: float, high: float) -> str:
    """What to write instead: a share for a kind in [0, 1], with the share a percentage-like
    threshold was probably meant as (``90`` -> ``0.9 for 90%``)."""
    if (low, high) != (0.0, 1.0):
        return f"write a value from {low:g} to {high:g}"
    meant = f", e.g. {threshold / 100:g} for {threshold:g}%" if 1 < threshold <= 100 else ""
    return f"write a share from 0 to 1{meant}"


def unreachable_gates(
    gates: list[GateSpec], metrics: list[MetricSpec], source: str, line_of: LineOf
) -> list[ConfigIssue]:
    """One issue per gate threshold outside its metric kind's ``value_range`` on the side that
    makes the gate fail every run (a ``min`` above the greatest value, a ``max`` below the
    least)."""
    kinds = {metric.id: metric for metric in metrics}
    issues: list[ConfigIssue] = []
    for index, gate in enumerate(gates):
        metric = kinds.get(gate.metric)
        bounds = metric.kind_cls.value_range if metric is not None else None
        if metric is None or bounds is None:
            continue
        low, high = bounds
        found: list[tuple[str, float, str]] = []
        if gate.min is not None and gate.min > high:
            found.append(("min", gate.min, f"at most {high:g}"))
        if gate.max is not None and gate.max < low:
            found.append(("max", gate.max, f"at least {low:g}"))
        for key, threshold, limit in found:
            issues.append(
                ConfigIssue(
                    source,
                    line_of(("gates", index, key)),
                    f"gates[{index}].{key}",
                    f"a {metric.kind} is {limit}, so {key} {threshold:g} can never be met and "
                    "the gate would fail every run",
                    _fix(threshold, low, high),
                )
            )
    return issues


def bound_levels(
    gates: list[GateSpec], metrics: list[MetricSpec], source: str, line_of: LineOf
) -> list[ConfigIssue]:
    """One issue per gate whose ``bound`` names the 95% level (``upper95``, ``lower95``) on a
    metric of another ``confidence``: the gate checks the metric's own interval, so it would
    check a bound other than the one it names."""
    levels = {metric.id: metric.confidence for metric in metrics}
    issues: list[ConfigIssue] = []
    for index, gate in enumerate(gates):
        level = levels.get(gate.metric)
        if not gate.bound.endswith("95") or level is None or abs(level - 0.95) < 1e-12:
            continue
        issues.append(
            ConfigIssue(
                source,
                line_of(("gates", index, "bound")),
                f"gates[{index}].bound",
                f"{gate.bound} names the 95% bound, but metric '{gate.metric}' has "
                f"confidence {level:g}, so the gate would check its {level:.0%} bound",
                f"write bound: {gate.normalized_bound} to check the {level:.0%} bound, or give "
                "the metric confidence: 0.95",
            )
        )
    return issues


_BOUND_ORDER = {"lower": 0, "point": 1, "upper": 2}
"""A figure's place among a metric's three: lower bound <= point <= upper bound."""


def conflicting_gates(gates: list[GateSpec], source: str, line_of: LineOf) -> list[ConfigIssue]:
    """One issue per gate whose ``min`` or ``max`` no figure can meet beside another gate on
    the same metric: a ``min`` on a figure no higher than the one another gate's lower ``max``
    checks (``min: 0.8`` and ``max: 0.2``; a lower bound at least 0.8 and an upper bound at
    most 0.5). Every gate checks the overall figure, so each run would fail one of them. A
    ``min`` on the upper bound beside a ``max`` on the lower can both hold (a wide interval)."""
    issues: list[ConfigIssue] = []
    for later, gate in enumerate(gates):
        for earlier in range(later):
            other = gates[earlier]
            if other.metric != gate.metric:
                continue
            clash = _clash(other, gate) or _clash(gate, other)
            if clash is None:
                continue
            key, other_key = ("min", "max") if clash[0] is gate else ("max", "min")
            issues.append(
                ConfigIssue(
                    source,
                    line_of(("gates", later, key)),
                    f"gates[{later}].{key}",
                    f"{_threshold(gate, key)} here and {_threshold(other, other_key)} in "
                    f"gates[{earlier}] can never pass together: every run would fail one",
                    "fix the threshold that is wrong",
                )
            )
            break
    return issues


def _clash(low: GateSpec, high: GateSpec) -> tuple[GateSpec, GateSpec] | None:
    """(low, high) when ``low``'s min is above ``high``'s max on a figure no higher."""
    if low.min is None or high.max is None or low.min <= high.max:
        return None
    if _BOUND_ORDER[low.normalized_bound] > _BOUND_ORDER[high.normalized_bound]:
        return None
    return low, high


def _threshold(gate: GateSpec, key: str) -> str:
    """``min 0.8`` or ``max 0.2 (upper bound)``."""
    value = gate.min if key == "min" else gate.max
    bound = gate.normalized_bound
    return f"{key} {value:g}" + ("" if bound == "point" else f" ({bound} bound)")


def duplicate_gate_ids(gates: list[GateSpec], source: str, line_of: LineOf) -> list[ConfigIssue]:
    """One issue per gate whose id (``GateSpec.label``: its ``id:``, or the default
    ``<metric> <op> <threshold>``) an earlier gate already has. The evidence ledger and every
    report key on it, so one verdict would hide the other's; default ids write a threshold to 6
    significant digits (``max: 0.1500001`` is ``avg <= 0.15``), and old summaries record them
    so, so the fix is an ``id:`` rather than a longer default."""
    first: dict[str, int] = {}
    issues: list[ConfigIssue] = []
    for index, gate in enumerate(gates):
        label = gate.label
        earlier = first.setdefault(label, index)
        if earlier == index:
            continue
        key = "id" if gate.id else "metric"
        issues.append(
            ConfigIssue(
                source,
                line_of(("gates", index, key)),
                f"gates[{index}]",
                f"its id {label!r} is also gates[{earlier}]'s; the evidence ledger and the "
                "reports key on it, so one gate's verdict would hide the other's",
                "give one of them its own id: (e.g. id: <a name>)",
            )
        )
    return issues
