"""A metric without a figure says why. When its expression had values (every group below
``min_group_size``, no stratum with two groups), the reason said the expression "was null on
all N rows": false, and it sends the author after a typo that is not there. Rows and a
streamed run's columns must give the same, true reason."""

from __future__ import annotations

import json

from assurance_harness.metrics.columns import MetricColumns
from assurance_harness.metrics.engine import compute_metrics
from assurance_harness.spec.loader import load_suite

SUITE = """suite: reasons
cases:
  - {id: a, prompt: x, metadata: {group: a, topic: x}}
  - {id: b, prompt: x, metadata: {group: b, topic: x}}
scorers:
  - {id: len, use: length}
  - {id: rx, use: regex, with: {pattern: x}}
metrics:
  - {id: small, disparity: {value: len.words, by: meta.group, min_group_size: 1000}}
  - id: strata
    disparity: {value: rx.matched, by: meta.group, within: meta.topic, statistic: rate,
                min_group_size: 1000}
  - {id: nothing, mean: rx.count}
"""


def _rows() -> list[dict]:
    return [
        {
            "case_id": f"c{i}",
            "sample": 0,
            "response": "r",
            "error": {"type": "timeout", "message": "t"} if i % 10 == 0 else None,
            "expected": {},
            "metadata": {"group": "ab"[i % 2], "topic": "xy"[i % 3 == 0]},
            "scores": {} if i % 10 == 0 else {"len": {"words": i}, "rx": {"matched": i % 4 == 0}},
        }
        for i in range(60)
    ]


def test_a_metric_whose_expression_had_values_does_not_say_it_was_null(write) -> None:
    # The rows are the test's own: its cases, whose groups validate would refuse as too small
    # for min_group_size (``spec.strata``), are not checked.
    loaded = load_suite(write("s.yaml", SUITE), expand=False)
    rows = _rows()
    columns = MetricColumns(loaded.metrics, samples=1, case_id=lambda i: rows[i]["case_id"])
    columns.add(rows)
    from_rows = compute_metrics(loaded.metrics, rows, seed=1)
    from_columns = columns.compute(seed=1)
    for spec in loaded.metrics:
        assert json.dumps(from_columns[spec.id].to_dict(), sort_keys=True) == json.dumps(
            from_rows[spec.id].to_dict(), sort_keys=True
        ), spec.id
    small = from_rows["small"].details["no_data_reason"]
    assert "'len.words' had a value on 54 rows" in small and "was null" not in small
    assert "fewer than two groups with data" in small
    strata = from_rows["strata"].details["no_data_reason"]
    assert "'rx.matched' had a value on 54 rows" in strata and "no stratum has a value" in strata
    # An expression null on every row keeps its reason (a typo in a field name, say).
    assert "'rx.count' was null on all 60 rows" in from_rows["nothing"].details["no_data_reason"]


def test_a_figure_that_is_not_a_number_is_no_data_not_a_pass() -> None:
    # A metric kind (a plugin's, or a built-in's corner) whose figure is NaN passed every
    # gate: nothing compares above or below NaN. It is no figure, whatever produced it.
    import math

    from assurance_harness.metrics.base import MetricValue
    from assurance_harness.metrics.engine import judge_gate
    from assurance_harness.spec.suite import GateSpec

    for bound, value in (("point", MetricValue(math.nan, 3)), ("upper", MetricValue(0.1, 3))):
        if bound == "upper":
            value.ci_low, value.ci_high = 0.0, math.inf
        gate = GateSpec(metric="m", max=0.5, min=0.1, bound=bound)  # type: ignore[arg-type]
        judged = judge_gate(gate, value, None, [])
        assert judged["verdict"] == "no_data", judged
        assert "not a finite number" in judged["no_data_reason"], judged
        assert judged["value"] is None or math.isfinite(judged["value"]), judged
        assert judged["ci_high"] is None, judged
