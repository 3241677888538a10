"""A metric without a figure counts no rows: ``n`` is 0 (``MetricValue``'s contract), whatever
its kind read before it found it could make none. A disparity with a group without data
reported the rows of the other groups (n = 6 beside no figure, a gate ``no_data`` "(n=6)"),
a paired metric without complete pairs and a mean whose sum overflows the rows they read,
while a rate or mean with no value reported 0: the same absence read two ways. What was read
stays said in ``details`` (the reason, ``n_skipped``, ``n_cases``)."""

from __future__ import annotations

from typing import Any

import pytest

from assurance_harness.metrics.base import MetricContext, MetricValue, metric_kinds

CTX = MetricContext(seed=3, bootstrap_resamples=200)


def _row(i: int, group: str, value: float | None, **meta: Any) -> dict[str, Any]:
    return {
        "case_id": f"{group}{i}",
        "sample": 0,
        "response": None if value is None else "r",
        "error": None if value is not None else {"type": "client_error", "message": "400"},
        "metadata": {"g": group, **meta},
        "expected": {},
        "scores": {} if value is None else {"s": {"x": value}},
    }


CASES: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {
    # group 'c' has rows, none with a value
    "disparity, a group without data": (
        {"value": "s.x", "by": "meta.g"},
        [_row(i, g, None if g == "c" else float(i)) for g in "abc" for i in range(3)],
    ),
    # every group but one below min_group_size
    "disparity, one group with data": (
        {"value": "s.x", "by": "meta.g", "min_group_size": 3},
        [_row(i, "a", float(i)) for i in range(4)] + [_row(0, "b", 1.0)],
    ),
    # ratio of values that are all 0
    "disparity, ratio of zeros": (
        {"value": "s.x", "by": "meta.g", "method": "ratio"},
        [_row(i, g, 0.0) for g in "ab" for i in range(3)],
    ),
    # no pair holds two groups
    "paired, no complete pair": (
        {"value": "s.x", "pair_by": "meta.t", "group": "meta.g"},
        [_row(i, "a", 1.0, t=f"t{i}") for i in range(3)],
    ),
    # finite values whose sum does not fit a float
    "mean, a sum that overflows": (
        {"expr": "s.x"},
        [_row(i, "a", 1e308) for i in range(3)],
    ),
}
KINDS = {
    "disparity, a group without data": "disparity",
    "disparity, one group with data": "disparity",
    "disparity, ratio of zeros": "disparity",
    "paired, no complete pair": "paired",
    "mean, a sum that overflows": "mean",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_figure_counts_no_rows(case: str) -> None:
    raw, rows = CASES[case]
    kind = metric_kinds.get(KINDS[case])
    value = kind().compute(rows, kind.parse_params(raw), CTX)
    assert value.value is None, value
    assert value.n == 0, (case, value.n, value.details)
    assert value.details.get("reason"), value.details


def test_the_contract_holds_for_any_kind() -> None:
    # A plugin's kind that counts the rows it read beside no figure publishes n = 0 too.
    assert MetricValue(None, 6).n == 0
    assert MetricValue(0.5, 6).n == 6
