"""Gates whose threshold no value of their metric can meet, refused at ``validate``.

A metric kind with bounded values says so (``MetricKind.value_range``: a rate is a share from
0 to 1). A gate ``min: 90`` on a rate, meant as 90%, then fails every run whatever the system
did, and ``max: -0.1`` likewise: a gate that measures nothing. A threshold at or past the other
end (``max: 1``) is left alone: it can never fail on the figure, but it still fails where there
is no data, and suites use it for a gate that checks only ``min_validity``.
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
