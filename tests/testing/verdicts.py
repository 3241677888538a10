"""Check a run summary's gate verdicts against the figures they were judged on."""

from __future__ import annotations

from typing import Any

from assurance_harness.limits import meets


def expected_verdict(gate: dict[str, Any]) -> str:
    """The verdict a gate must have from its own checked figure, bounds and failing groups."""
    figure = gate["checked"]
    if figure is None:
        return "no_data"
    within = meets(figure, min=gate["min"], max=gate["max"])
    return "fail" if not within or gate["failing_groups"] else "pass"


def assert_verdicts_follow_figures(gates: list[dict[str, Any]]) -> dict[str, str]:
    """Every gate's verdict follows from its figures; returns {metric: verdict}."""
    for gate in gates:
        assert gate["verdict"] == expected_verdict(gate), gate
        if gate["verdict"] == "fail":
            assert gate["worst_cases"], f"a failed gate names no cases: {gate['id']}"
    return {gate["metric"]: gate["verdict"] for gate in gates}
