"""A p-value beside its significance level, and the run's error rate beside its limit, read on
the side of the limit they are on (the figures' rule of ``formatting.num_beside``).

``compare`` printed an adjusted p of 0.0496 as "0.050" beside "regressed" at α = 0.05 (a
regression is p < α); the run's line printed ``max_error_rate: 0.025`` as "max 2%", so a
passing 2.4% read over its limit, and a failing 0.1004 as "10.0%, max 10%"."""

from __future__ import annotations

from assurance_harness.cli import requests_line
from assurance_harness.compare.engine import Comparison, MetricComparison
from assurance_harness.compare.render import comparison_markdown, comparison_text
from assurance_harness.formatting import p_value


def test_a_p_value_reads_on_its_side_of_alpha() -> None:
    assert p_value(0.0496, alpha=0.05) == "0.0496"
    assert p_value(0.04999, alpha=0.05) == "0.04999"
    assert p_value(0.0504, alpha=0.05) == "0.050"  # not below α, and does not read so
    assert p_value(0.05, alpha=0.05) == "0.050"
    assert p_value(0.2, alpha=0.05) == "0.200"
    assert p_value(0.0004, alpha=0.05) == "<0.001"
    assert p_value(0.0004, alpha=0.0005) == "0.0004"  # "<0.001" says nothing of α = 0.0005
    assert p_value(0.0006, alpha=0.0005) == "0.001"  # three decimals, on its side of α


def test_compare_prints_a_regressions_p_below_alpha() -> None:
    cmp = Comparison("a", "b", "s", "t", "t", alpha=0.05, paired=False)
    figure = {"value": 0.2, "ci_low": 0.1, "ci_high": 0.3, "n": 100}
    cmp.metrics = [
        MetricComparison(
            metric="r",
            kind="rate",
            baseline=figure,
            candidate=figure,
            p_adjusted=0.0496,
            verdict="regressed",
        )
    ]
    assert "p (Holm) 0.0496" in comparison_text(cmp)
    assert "| 0.0496 |" in comparison_markdown(cmp)


def _counts(errors: int, requests: int, limit: float) -> dict[str, object]:
    return {
        "requests": requests,
        "errors": errors,
        "error_rate": errors / requests,
        "max_error_rate": limit,
        "cached": 0,
    }


def test_the_error_rate_and_its_limit_read_as_set() -> None:
    assert "(2.4%, max 2.5%)" in requests_line(_counts(24, 1000, 0.025))
    assert "(10.04%, max 10%)" in requests_line(_counts(1004, 10000, 0.1))
    assert "(10.0%, max 10%)" in requests_line(_counts(1000, 10000, 0.1))
    assert "(0.0%, max 0%)" in requests_line(_counts(0, 10, 0.0))
