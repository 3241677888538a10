"""A gate on a bound that fails for a group whose figure has a value but no interval (too few
cases for one) says why that group has no bound. It said "group 'y': no value" right beside
the group's value (``y 2``), in the terminal, report.md, the pytest plugin and JUnit alike
(all read ``no_data_reason``), and named no fix."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.metrics.engine import compute_metrics, judge_gate, no_data_reason
from assurance_harness.spec.loader import load_suite

SUITE = """\
suite: few-in-a-group
cases:
  - {id: a, prompt: x, metadata: {g: x}}
scorers: [{id: len, use: length}]
metrics: [{id: chars, mean: len.chars, by: meta.g}]
gates: [{metric: chars, max: 1000, bound: upper}]
"""


def _row(case_id: str, group: str, chars: int) -> dict:
    return {
        "case_id": case_id,
        "sample": 0,
        "response": "r" * chars,
        "error": None,
        "metadata": {"g": group},
        "expected": {},
        "scores": {"len": {"chars": chars, "words": 1}},
    }


# Ten cases in x (an interval), three in y (a mean of values outside [0, 1] has none below 8).
ROWS = [_row(f"x{i}", "x", i + 1) for i in range(10)] + [
    _row(f"y{i}", "y", i + 1) for i in range(3)
]


def test_a_group_with_a_value_but_no_bound_says_why_not_no_value(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    loaded = load_suite(tmp_path / "s.yaml", expand=False)
    (spec,) = loaded.metrics
    (gate_spec,) = loaded.suite.gates
    value = compute_metrics(loaded.metrics, ROWS, seed=0)["chars"]
    gate = judge_gate(gate_spec, value, spec, ROWS)
    assert gate["verdict"] == "fail" and gate["groups_without_data"] == ["y"], gate
    metric = value.to_dict()
    group = metric["groups"]["y"]
    assert group["value"] == 2.0 and group["ci_high"] is None, group
    why = group["details"]["no_bound_reason"]
    assert "3 cases" in why, why
    assert no_data_reason(gate, metric) == f"group 'y': {why}"
    # A group with a value and no recorded reason (a plugin's, an older run's) is not said to
    # have no value either: it has no figure on the gate's bound.
    del group["details"]["no_bound_reason"]
    assert no_data_reason(gate, metric) == "group 'y': no upper bound"
