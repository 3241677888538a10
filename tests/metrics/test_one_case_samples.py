"""A rate or a mean over ONE case with several samples (``samples: 4``: four answers to one
prompt). Observed: it got an interval labelled approximate (Clopper-Pearson, or the score
interval for values in [0, 1], over the four samples as if independent), while two cases of
four samples get none (Korn-Graubard: under one effective outcome). One case shows nothing of
how cases vary, so an interval over it describes that prompt only, not the population of
prompts a gate speaks for. It now has no interval and says why, for rates and means, overall
and per group, from rows and from a streamed run's columns alike; a gate on its bound is
``no_data``. One case of one sample keeps its interval (that one outcome is a draw from the
population of cases)."""

from __future__ import annotations

from typing import Any

import pytest

from assurance_harness.metrics.aggregate import MeanMetric, RateMetric
from assurance_harness.metrics.base import MetricContext, MetricValue
from assurance_harness.metrics.engine import judge_gate
from assurance_harness.spec.suite import GateSpec
from tests.metrics.columns_check import compare_with_rows

CTX = MetricContext(seed=7)


def _row(case: str, sample: int, matched: bool, count: int, group: str = "a") -> dict[str, Any]:
    return {
        "case_id": case,
        "sample": sample,
        "response": "r",
        "error": None,
        "metadata": {"g": group},
        "expected": {},
        "scores": {"rx": {"matched": matched, "count": count}},
    }


def _one_case(counts: list[int], case: str = "c0", group: str = "a") -> list[dict[str, Any]]:
    return [_row(case, k, c > 0, c, group) for k, c in enumerate(counts)]


def _assert_no_interval(value: MetricValue, what: str) -> None:
    assert value.value is not None, what
    assert value.ci_low is None and value.ci_high is None, (what, value)
    reason = value.details["no_bound_reason"]
    assert reason.startswith("no interval: one case;"), (what, reason)
    assert "at least two cases" in reason and "4" in reason, (what, reason)
    assert value.method == reason, what
    gate = judge_gate(GateSpec(metric="m", max=0.9, bound="upper"), value, None, [])
    assert gate["verdict"] == "no_data" and gate["no_data_reason"] == reason, what


@pytest.mark.parametrize("counts", [[1, 0, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]])
def test_a_rate_over_one_case_of_four_samples_has_no_interval(counts: list[int]) -> None:
    value = RateMetric().compute(_one_case(counts), RateMetric.parse_params("rx.matched"), CTX)
    assert value.n == 4 and value.value == sum(counts) / 4
    _assert_no_interval(value, "rate")


def test_a_mean_of_0_1_values_over_one_case_has_no_interval() -> None:
    value = MeanMetric().compute(_one_case([1, 0, 1, 1]), MeanMetric.parse_params("rx.count"), CTX)
    _assert_no_interval(value, "mean of 0/1 values")


def test_a_mean_of_values_in_0_1_over_one_case_has_no_interval() -> None:
    params = MeanMetric.parse_params("rx.count / 2")
    value = MeanMetric().compute(_one_case([1, 0, 2, 1]), params, CTX)
    assert value.value == 0.5
    _assert_no_interval(value, "mean of values in [0, 1]")


def test_one_case_of_one_sample_keeps_its_interval() -> None:
    value = RateMetric().compute(_one_case([1]), RateMetric.parse_params("rx.matched"), CTX)
    assert value.ci_low is not None and value.ci_high == 1.0
    assert "no_bound_reason" not in value.details


SUITE = """suite: one-case
samples: 4
cases:
  - {id: c0, prompt: p0, metadata: {g: a}}
  - {id: c1, prompt: p1, metadata: {g: b}}
  - {id: c2, prompt: p2, metadata: {g: b}}
  - {id: c3, prompt: p3, metadata: {g: b}}
scorers: [{id: rx, use: regex, with: {pattern: bad}}]
metrics:
  - {id: r, rate: rx.matched, by: meta.g}
  - {id: m, mean: rx.count / 2, by: meta.g}
gates:
  - {metric: r, max: 0.9, bound: upper}
"""


def test_a_group_of_one_case_has_no_interval_from_rows_and_columns(write) -> None:
    rows = _one_case([1, 0, 2, 1], "c0", "a")
    for i, counts in enumerate(([0, 0, 1, 0], [2, 1, 1, 1], [0, 0, 0, 1]), start=1):
        rows += _one_case(counts, f"c{i}", "b")
    got, verdicts = compare_with_rows(write("s.yaml", SUITE), rows, samples=4, chunk=5, seed=0)
    for metric in ("r", "m"):
        groups = got[metric].groups
        assert groups is not None and sorted(groups) == ["a", "b"], metric
        _assert_no_interval(groups["a"], f"{metric} group a")
        assert "no_bound_reason" not in got[metric].details, metric  # four cases overall
    gate = verdicts[0]
    assert gate["verdict"] == "fail" and gate["groups_without_data"] == ["a"], gate
