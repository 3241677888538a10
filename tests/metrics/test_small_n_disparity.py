"""A disparity's interval on tiny or uniform groups. Observed: two groups of lengths whose
cases all agree within each group (5, 5, 5 against 7, 7, 7) got Welch intervals of zero width,
so the gap's interval was [2, 2] and a ``max: 3`` gate on its upper bound passed on six cases;
a gap to the overall figure (``relative_to: overall``) over groups of one case each got the
zero-width bootstrap interval [gap, gap] and passed the same way; a group's own figure in
``details.by_group`` over one case had the interval [x, x]. None of them can cover: each now
has no such bound, says why, and a gate on it is ``no_data``."""

from __future__ import annotations

from assurance_harness.metrics.base import MetricContext
from assurance_harness.metrics.disparity import DisparityMetric
from tests.metrics.test_small_n_mean import _gate

CTX = MetricContext(seed=7, bootstrap_resamples=200)


def _groups(values: dict[str, list[float]]) -> list[dict]:
    return [
        {
            "case_id": f"{group}{i}",
            "sample": 0,
            "response": "r",
            "error": None,
            "metadata": {"g": group},
            "expected": {},
            "scores": {"len": {"chars": v}},
        }
        for group, members in values.items()
        for i, v in enumerate(members)
    ]


def test_groups_without_variance_leave_the_gap_without_an_upper_bound() -> None:
    params = DisparityMetric.parse_params({"value": "len.chars", "by": "meta.g"})
    value = DisparityMetric().compute(_groups({"x": [5.0] * 3, "y": [7.0] * 3}), params, CTX)
    assert value.value == 2.0 and value.ci_high is None
    reason = value.details["no_bound_reason"]
    assert "no variance" in reason and "single case" not in reason
    verdict = _gate(value, max=3)
    assert verdict["verdict"] == "no_data" and verdict["no_data_reason"] == reason


def test_a_gap_to_the_overall_figure_over_single_cases_has_no_interval() -> None:
    params = DisparityMetric.parse_params(
        {"value": "len.chars", "by": "meta.g", "relative_to": "overall"}
    )
    value = DisparityMetric().compute(_groups({"x": [5.0], "y": [9.0]}), params, CTX)
    assert value.value == 2.0 and value.ci_low is None and value.ci_high is None
    assert "'x'" in value.details["no_bound_reason"]
    assert _gate(value, max=3)["verdict"] == "no_data"


def test_a_group_figure_over_one_case_has_no_interval() -> None:
    params = DisparityMetric.parse_params({"value": "len.chars", "by": "meta.g"})
    value = DisparityMetric().compute(_groups({"x": [5.0], "y": [7.0, 8.0, 9.0]}), params, CTX)
    one = value.details["by_group"]["x"]
    assert one["value"] == 5.0 and one["ci_low"] is None and one["ci_high"] is None
    assert one["method"].startswith("no interval: one case")
