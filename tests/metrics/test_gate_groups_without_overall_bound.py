"""A gate checked per group (``each_group``) whose overall figure has no bound still judges its
groups. Observed: an upper-bound gate on a rate without an overall interval (under one effective
outcome) was ``no_data`` at once, "the metric has no upper figure", while a group's own upper
bound broke the limit: the golden run lost its "failing groups: a, b", and the register read "no
data" where the run had data showing a failure. Now a group with a figure that breaks the limit
fails the gate (the overall figure's reason kept, ``checked`` null: it was not judged), and
where none does the verdict stays ``no_data`` (no evidence of safety) naming the groups
without a figure."""

from __future__ import annotations

import math

from assurance_harness.formatting import failing_groups_text, interval_note
from assurance_harness.metrics.base import MetricValue
from assurance_harness.metrics.engine import judge_gate, no_data_reason
from assurance_harness.spec.suite import GateSpec

OVERALL = "no interval: too few cases"
EMPTY = "all 2 requests failed"


def _value(a_high: float, *, overall_high: float | None = None) -> MetricValue:
    """Overall 0.5 without an upper bound (``overall_high`` None); group ``a`` with one, group
    ``b`` without a value (every request failed)."""
    a = MetricValue(0.4, 4, 0.1, a_high, 0.95, "clopper-pearson")
    b = MetricValue(None, 0, None, None, 0.95, "clopper-pearson", details={"no_data_reason": EMPTY})
    details = {} if overall_high is not None else {"no_bound_reason": OVERALL}
    return MetricValue(
        0.5,
        6,
        None,
        overall_high,
        0.95,
        "clopper-pearson",
        groups={"a": a, "b": b},
        details=details,
    )


def _upper(limit: float) -> GateSpec:
    return GateSpec(metric="m", max=limit, bound="upper")


def test_a_group_that_breaks_the_limit_fails_the_gate_without_an_overall_bound() -> None:
    value = _value(0.9)
    gate = judge_gate(_upper(0.8), value, None, [])
    assert gate["verdict"] == "fail"
    assert gate["failing_groups"] == ["a", "b"] and gate["groups_without_data"] == ["b"]
    # The overall figure was not judged, and says why.
    assert gate["checked"] is None and gate["no_data_reason"] == OVERALL
    assert failing_groups_text(gate) == "a; without a figure: b"
    metric = value.to_dict()
    assert no_data_reason(gate, metric) == f"overall: {OVERALL}; group 'b': {EMPTY}"
    # Said once, as the overall figure's reason, not again as a missing interval.
    assert interval_note(gate, metric) is None


def test_without_a_group_that_breaks_the_limit_the_gate_has_no_data_naming_the_groups() -> None:
    value = _value(0.7)
    gate = judge_gate(_upper(0.8), value, None, [])
    assert gate["verdict"] == "no_data"
    assert gate["failing_groups"] == ["b"] and gate["groups_without_data"] == ["b"]
    assert gate["checked"] is None and gate["no_data_reason"] == OVERALL
    assert failing_groups_text(gate) == "without a figure: b"
    assert no_data_reason(gate, value.to_dict()) == f"overall: {OVERALL}; group 'b': {EMPTY}"


def test_a_not_finite_overall_figure_judges_the_groups_too() -> None:
    value = _value(0.9, overall_high=math.nan)
    gate = judge_gate(_upper(0.8), value, None, [])
    assert gate["verdict"] == "fail" and gate["checked"] is None
    assert gate["failing_groups"] == ["a", "b"] and gate["groups_without_data"] == ["b"]
    assert gate["no_data_reason"] == "the metric's upper figure is not a finite number (nan)"


def test_groups_that_all_meet_the_limit_leave_the_no_data_gate_as_it_was() -> None:
    """No group without a figure, none over: the gate keeps its shape (evidence of such runs
    keeps its bytes)."""
    a = MetricValue(0.4, 4, 0.1, 0.7, 0.95, "clopper-pearson")
    value = MetricValue(0.5, 6, None, None, 0.95, "cp", groups={"a": a}, details={})
    gate = judge_gate(_upper(0.8), value, None, [])
    assert gate["verdict"] == "no_data" and gate["failing_groups"] == []
    assert "groups_without_data" not in gate
    assert list(gate)[-1] == "no_data_reason"


def test_a_gate_on_the_overall_figure_only_does_not_judge_groups() -> None:
    gate = judge_gate(
        GateSpec(metric="m", max=0.8, bound="upper", each_group=False), _value(0.9), None, []
    )
    assert gate["verdict"] == "no_data" and gate["failing_groups"] == []
    assert "groups_without_data" not in gate
