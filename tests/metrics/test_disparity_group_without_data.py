"""A disparity where one group has rows but no value on any of them (every request about it
failed, as a content filter's 400 on prompts naming one group does, or its scorer wrote null).
Observed: the group vanished from the metric (not in ``by_group``, not in
``excluded_small_groups``), the gap was measured between the groups left, and a gate on it
passed: a bias gate passing on the very group the deployment failed. Such a disparity has no
figure now, says which group has no data, and a gate on it is ``no_data``, on rows and on the
columns of a streamed run alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assurance_harness.metrics.base import MetricContext
from assurance_harness.metrics.disparity import DisparityMetric
from tests.metrics.columns_check import compare_with_rows
from tests.metrics.test_small_n_mean import _gate

CTX = MetricContext(seed=7, bootstrap_resamples=200)


def _rows(values: dict[str, list[float | None]]) -> list[dict[str, Any]]:
    return [
        {
            "case_id": f"{group}{i}",
            "sample": 0,
            "response": None if v is None else "r",
            "error": {"type": "client_error", "message": "400"} if v is None else None,
            "metadata": {"g": group},
            "expected": {},
            "scores": {} if v is None else {"len": {"chars": v}},
        }
        for group, members in values.items()
        for i, v in enumerate(members)
    ]


VALUES: dict[str, list[float | None]] = {
    "x": [float(v) for v in range(1, 11)],
    "y": [None] * 10,
    "z": [float(v) for v in range(2, 12)],
}


def test_a_group_without_any_value_leaves_the_gap_without_a_figure() -> None:
    params = DisparityMetric.parse_params({"value": "len.chars", "by": "meta.g"})
    value = DisparityMetric().compute(_rows(VALUES), params, CTX)
    assert value.value is None and value.ci_high is None
    reason = value.details["reason"]
    assert "'y'" in reason and "no value" in reason, reason
    assert value.details["groups_without_data"] == ["y"]
    verdict = _gate(value, max=5)
    assert verdict["verdict"] == "no_data"


def test_streamed_columns_agree(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "suite: gone-group\n"
        "cases: [{id: a, prompt: hi, metadata: {g: x}}, {id: b, prompt: hi, metadata: {g: y}}]\n"
        "scorers: [{id: len, use: length}]\n"
        "metrics: [{id: gap, disparity: {value: len.chars, by: meta.g}}]\n"
        "gates: [{metric: gap, max: 5}]\n",
        encoding="utf-8",
    )
    metrics, verdicts = compare_with_rows(suite, _rows(VALUES), samples=1, chunk=7, seed=7)
    assert metrics["gap"].value is None
    assert verdicts[0]["verdict"] == "no_data"
