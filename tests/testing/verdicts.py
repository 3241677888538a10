"""Check a run summary's gate verdicts against the figures they were judged on."""

from __future__ import annotations

from typing import Any


def expected_verdict(gate: dict[str, Any]) -> str:
    """The verdict a gate must have from its own checked figure, bounds and failing groups."""
    figure = gate["checked"]
    if figure is None:
        return "no_data"
    too_high = gate["max"] is not None and figure > gate["max"]
    too_low = gate["min"] is not None and figure < gate["min"]
    return "fail" if too_high or too_low or gate["failing_groups"] else "pass"


def assert_verdicts_follow_figures(gates: list[dict[str, Any]]) -> dict[str, str]:
    """Every gate's verdict follows from its figures; returns {metric: verdict}."""
    for gate in gates:
        assert gate["verdict"] == expected_verdict(gate), gate
        if gate["verdict"] == "fail":
            assert gate["worst_cases"], f"a failed gate names no cases: {gate['id']}"
    return {gate["metric"]: gate["verdict"] for gate in gates}
