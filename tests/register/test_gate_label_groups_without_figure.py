"""A gate that failed for groups with no figure on its bound (too few cases for an interval,
every pair's delta the same) is told apart from one that failed on their figures wherever its
evidence is read: the ledger record keeps ``groups_without_data``, and ``register status`` and
``register show`` name those groups as without a figure. They said "failing groups: age,
nationality, ..." for axes whose every counterfactual pair had a delta of exactly 0, the one
axis with a gap (gender) passing: the register read as if the bias were where there was none."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.formatting import failing_groups_text
from assurance_harness.metrics.engine import compute_metrics, judge_gate
from assurance_harness.register.evidence_map import _gate_fields
from assurance_harness.register.evidence_record import EvidenceRecord
from assurance_harness.spec.loader import load_suite
from tests.report.test_group_without_bound_reason import SUITE, _row

# x: ten cases (an interval) over the gate's max; y: three (a value, no interval).
ROWS = [_row(f"x{i}", "x", 2000 + i) for i in range(10)] + [
    _row(f"y{i}", "y", i + 1) for i in range(3)
]


def _record(gate: dict) -> EvidenceRecord:
    return EvidenceRecord(
        seq=1,
        id="EV-000001",
        recorded_at="2026-12-07T09:00:00+00:00",
        risk_id="R-1",
        run_id="run",
        verdict="fail",
        suite={"name": "few-in-a-group"},
        target={"name": "t"},
        gate=gate,
        metric=None,
        run={},
        prev_hash="0" * 64,
        hash="0" * 64,
    )


def test_groups_without_a_figure_are_not_called_failing(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    loaded = load_suite(tmp_path / "s.yaml", expand=False)
    (gate_spec,) = loaded.suite.gates
    value = compute_metrics(loaded.metrics, ROWS, seed=0)["chars"]
    gate = judge_gate(gate_spec, value, loaded.metrics[0], ROWS)
    assert gate["failing_groups"] == ["x", "y"] and gate["groups_without_data"] == ["y"], gate
    fields = _gate_fields(gate)
    assert fields["groups_without_data"] == ["y"], fields
    label = _record(fields).gate_label
    assert label == "chars <= 1000 (upper bound) (failing groups: x; without a figure: y)", label


def test_a_record_without_groups_without_data_keeps_its_shape_and_label() -> None:
    # Records already in a ledger (their hashes cover their fields) and gates with no such
    # group: the gate's fields are as before, and so is the label.
    gate = {"id": "g", "metric": "m", "failing_groups": ["a"], "verdict": "fail"}
    assert "groups_without_data" not in _gate_fields(gate)
    assert _record(_gate_fields(gate)).gate_label == "g (failing groups: a)"


def test_the_annex_column_says_the_same() -> None:
    gate = {"failing_groups": ["x", "y"], "groups_without_data": ["y"]}
    assert failing_groups_text(gate) == "x; without a figure: y"
    assert failing_groups_text({"failing_groups": ["y"], "groups_without_data": ["y"]}) == (
        "without a figure: y"
    )
