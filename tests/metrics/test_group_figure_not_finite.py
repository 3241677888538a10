"""A group whose figure is not a finite number is no evidence that it passed. Observed: a
metric (a plugin kind's) whose group ``g2`` had the figure NaN passed ``max: 0.3`` with
``failing_groups: []``: nothing compares above or below NaN, so the group met every limit.
The overall figure was already judged ``no_data`` for it; a group's now fails as a group
without data, as one whose figure is None does."""

from __future__ import annotations

import math

import pytest

from assurance_harness.metrics.base import MetricValue
from assurance_harness.metrics.engine import judge_gate
from assurance_harness.spec.suite import GateSpec


def _value(group_figure: float) -> MetricValue:
    good = MetricValue(0.1, 5, 0.05, 0.2, 0.95, "wilson")
    odd = MetricValue(group_figure, 5, group_figure, group_figure, 0.95, "plugin")
    return MetricValue(0.1, 10, 0.05, 0.2, 0.95, "wilson", groups={"g1": good, "g2": odd})


@pytest.mark.parametrize("figure", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("limits", [{"max": 0.3}, {"min": 0.05}, {"min": 0.0, "max": 0.3}])
def test_a_group_without_a_finite_figure_fails_as_without_data(
    figure: float, limits: dict[str, float]
) -> None:
    gate = judge_gate(GateSpec(metric="m", **limits), _value(figure), None, [])
    assert gate["verdict"] == "fail"
    assert gate["failing_groups"] == ["g2"] and gate["groups_without_data"] == ["g2"]
