"""Group disparity against hand-computed values (and fairlearn's own definitions)."""

from __future__ import annotations

import pytest

from assurance_harness.metrics.base import MetricContext
from assurance_harness.metrics.disparity import DisparityMetric

CTX = MetricContext(seed=0, bootstrap_resamples=500)


def row(case: str, group: str, value: object, *, sample: int = 0, axis: str = "x") -> dict:
    return {
        "case_id": case,
        "sample": sample,
        "metadata": {"group": group, "axis": axis},
        "scores": {"s": {"v": value}},
        "response": "r",
        "error": None,
    }


# Hand example: A = [0.2, 0.4, 0.6] (mean 0.4), B = [0.1, 0.3] (0.2), C = [0.9] (0.9).
ROWS = [
    row("a1", "A", 0.2),
    row("a2", "A", 0.4),
    row("a3", "A", 0.6),
    row("b1", "B", 0.1),
    row("b2", "B", 0.3),
    row("c1", "C", 0.9),
]


def compute(rows: list[dict], **params: object):
    metric = DisparityMetric()
    return metric.compute(
        rows, metric.parse_params({"value": "s.v", "by": "meta.group", **params}), CTX
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, 0.9 - 0.2),
        ({"method": "ratio"}, 0.2 / 0.9),
        ({"relative_to": "overall"}, 0.9 - 2.5 / 6),
        ({"method": "ratio", "relative_to": "overall"}, (2.5 / 6) / 0.9),
    ],
)
def test_point_estimates_match_hand_computation(params: dict, expected: float) -> None:
    value = compute(ROWS, **params)
    assert value.value == pytest.approx(expected)
    assert value.n == 6
    if params.get("relative_to") == "overall":
        # Group C is one case, which a bootstrap cannot vary: no interval, and it says why
        # (tests/metrics/test_small_n_disparity.py).
        assert value.ci_low is None and value.ci_high is None
        assert value.details["no_bound_reason"].startswith("no interval: group 'C' has one case")
        return
    assert value.ci_low is not None and value.ci_high is not None
    assert value.ci_low <= value.value <= value.ci_high


def test_per_group_values_and_details() -> None:
    value = compute(ROWS)
    by_group = value.details["by_group"]
    assert {g: v["value"] for g, v in by_group.items()} == pytest.approx(
        {"A": 0.4, "B": 0.2, "C": 0.9}
    )
    assert by_group["A"]["n"] == 3
    assert value.details["max_group"] == "C" and value.details["min_group"] == "B"
    assert value.details["overall"] == pytest.approx(2.5 / 6)
    assert value.groups is None  # the gate checks the disparity, not group means


def test_rate_statistic_uses_a_binomial_interval_per_group() -> None:
    rows = [row(f"a{i}", "A", i == 0) for i in range(4)] + [
        row(f"b{i}", "B", i < 2) for i in range(4)
    ]
    value = compute(rows, statistic="rate")
    assert value.value == pytest.approx(0.25)
    assert value.details["by_group"]["A"]["method"] == "clopper-pearson"
    assert compute(rows, statistic="rate", method="ratio").value == pytest.approx(0.5)


def test_samples_are_averaged_per_case() -> None:
    rows = [
        row("a1", "A", 0.0, sample=0),
        row("a1", "A", 1.0, sample=1),
        row("a2", "A", 1.0),
        row("b1", "B", 0.0),
    ]
    value = compute(rows)
    assert value.details["by_group"]["A"]["value"] == pytest.approx(0.75)
    assert value.details["n_cases"] == 3 and value.n == 4


def test_bootstrap_is_seeded_and_narrows_with_more_data() -> None:
    a, b = compute(ROWS), compute(ROWS)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    big = [
        row(f"{r['case_id']}-{k}", r["metadata"]["group"], r["scores"]["s"]["v"])
        for k in range(20)
        for r in ROWS
    ]
    wide, narrow = compute(ROWS), compute(big)
    assert narrow.value == pytest.approx(wide.value)
    assert (narrow.ci_high - narrow.ci_low) < (wide.ci_high - wide.ci_low)


def test_within_strata_reports_the_worst_axis_and_one_group_per_axis() -> None:
    rows = [
        row("g1", "girl", 0.5, axis="gender"),
        row("g2", "boy", 0.3, axis="gender"),
        row("r1", "muslim", 0.1, axis="religion"),
        row("r2", "hindu", 0.6, axis="religion"),
    ]
    value = compute(rows, within="meta.axis")
    assert value.groups is not None
    assert value.groups["gender"].value == pytest.approx(0.2)
    assert value.groups["religion"].value == pytest.approx(0.5)
    assert value.value == pytest.approx(0.5)
    assert value.details["worst_stratum"] == "religion"
    assert value.n == 4


def test_within_strata_counts_the_rows_its_strata_counted() -> None:
    """n is the rows the figure was computed from (docs/FORMATS.md), as each stratum's own n:
    not a null value, a row in no group, nor a stratum without a figure; 0 without a figure.
    It was every row in a stratum: 5 here, beside strata counting 2 and 0 (the oracle found
    31 beside strata counting 15 and 0)."""
    rows = [
        row("g1", "girl", 0.5, axis="gender"),
        row("g2", "boy", 0.3, axis="gender"),
        row("g3", "boy", None, axis="gender"),
        {**row("g4", "girl", 0.2), "metadata": {"axis": "gender"}},
        row("r1", "muslim", 0.1, axis="religion"),  # one group: no figure
    ]
    value = compute(rows, within="meta.axis")
    assert value.groups is not None
    assert (value.groups["gender"].value, value.groups["gender"].n) == (pytest.approx(0.2), 2)
    assert (value.groups["religion"].value, value.groups["religion"].n) == (None, 0)
    # religion has no figure, so the worst stratum is unknown: no figure
    # (tests/metrics/test_unmeasured_stratum.py); the measured strata's worst and the rows its
    # figure counted are kept for runs recorded before that rule
    assert (value.value, value.n) == (None, 0)
    worst = value.details["measured_worst"]
    assert (worst["value"], worst["n"]) == (pytest.approx(0.2), 2)
    assert value.details["strata_without_figure"] == ["religion"]
    alone = compute(rows[4:], within="meta.axis")
    assert (alone.value, alone.n) == (None, 0)


def test_one_group_gives_no_value_and_small_groups_are_excluded() -> None:
    assert compute(ROWS[:3]).value is None
    value = compute(ROWS, min_group_size=2)
    assert value.details["excluded_small_groups"] == ["C"]
    assert value.value == pytest.approx(0.2)


def test_ratio_of_signed_values_has_no_figure_and_says_why() -> None:
    value = compute([row("a", "A", -0.5), row("b", "B", 0.5)], method="ratio")
    assert value.value is None
    assert "non-negative" in value.details["reason"]


def test_gate_checks_every_axis_not_group_means() -> None:
    from assurance_harness.metrics.engine import judge_gate
    from assurance_harness.spec.suite import GateSpec

    rows = [
        row("g1", "girl", 0.5, axis="gender"),
        row("g2", "boy", 0.45, axis="gender"),
        row("r1", "muslim", 0.1, axis="religion"),
        row("r2", "hindu", 0.6, axis="religion"),
    ]
    value = compute(rows, within="meta.axis")
    verdict = judge_gate(GateSpec(metric="gap", max=0.2), value, None, [])
    assert verdict["verdict"] == "fail" and verdict["failing_groups"] == ["religion"]
    # without strata the gate sees only the disparity (no per-group means to misread)
    flat = compute(rows[:2])
    assert judge_gate(GateSpec(metric="gap", max=0.2), flat, None, [])["verdict"] == "pass"


def test_worst_cases_show_both_sides_of_the_gap() -> None:
    # Gap C (0.9) - B (0.2): B's low answers and C's high one, not just the highest values.
    metric = DisparityMetric()
    params = metric.parse_params({"value": "s.v", "by": "meta.group"})
    for lower_is_better in (True, False):
        assert metric.worst_cases(ROWS, params, lower_is_better=lower_is_better) == [
            "b1#0",
            "c1#0",
            "b2#0",
        ]


def test_worst_cases_of_a_one_sided_gap_lead_with_the_group_behind() -> None:
    # BOLD-style: boys' continuations all warm, girls' cold; the girls' coldest come first.
    rows = [row(f"boy{i}", "boys", 0.9) for i in range(5)] + [
        row("girl1", "girls", -0.2),
        row("girl2", "girls", -0.6),
        row("girl3", "girls", 0.9),
    ]
    metric = DisparityMetric()
    params = metric.parse_params({"value": "s.v", "by": "meta.group"})
    worst = metric.worst_cases(rows, params, lower_is_better=True)
    assert worst is not None
    assert worst[:2] == ["girl2#0", "boy0#0"] and worst[2] == "girl1#0"
    assert "girl3#0" not in worst  # a warm continuation for a girl does not explain the gap


def test_worst_cases_within_strata_widest_gap_first() -> None:
    rows = [
        row("x1", "A", 0.5, axis="x"),
        row("x2", "B", 0.4, axis="x"),
        row("y1", "C", 0.9, axis="y"),
        row("y2", "D", 0.1, axis="y"),
    ]
    metric = DisparityMetric()
    params = metric.parse_params({"value": "s.v", "by": "meta.group", "within": "meta.axis"})
    assert metric.worst_cases(rows, params, lower_is_better=True) == [
        "y2#0",
        "y1#0",
        "x2#0",
        "x1#0",
    ]
