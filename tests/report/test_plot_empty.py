"""No empty figures: a score field that is the same on every row, or a per-group metric that is
zero in every group, is said in words instead of drawn as a blank chart."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.report.plots import group_bars, score_distributions
from assurance_harness.report.rundata import RunData


def _rows(n: int = 6) -> list[dict]:
    return [
        {
            "case_id": f"c{i}",
            "sample": 0,
            "scores": {
                "tox": {"toxicity": 0.1 * i},
                "age": {"max_severity": 0, "reading_age": 9},
            },
        }
        for i in range(n)
    ]


def test_constant_score_fields_are_named_not_plotted() -> None:
    plot = score_distributions(_rows())
    assert plot is not None
    assert "tox.toxicity" not in plot.caption  # drawn
    assert "same value on every response: age.max_severity = 0, age.reading_age = 9" in (
        plot.caption
    )


def test_no_figure_when_every_field_is_constant() -> None:
    rows = [{"case_id": "a", "sample": 0, "scores": {"x": {"v": 0}}} for _ in range(4)]
    assert score_distributions(rows) is None


def test_a_metric_that_is_zero_in_every_group_gets_no_chart(tmp_path: Path) -> None:
    zero = {"value": 0.0, "ci_low": 0.0, "ci_high": 0.2, "n": 20}
    run = RunData(
        dir=tmp_path,
        summary={
            "metrics": {
                "profanity_rate": {"kind": "rate", "groups": {"a": zero, "b": zero}},
                "toxic_rate": {
                    "kind": "rate",
                    "groups": {"a": zero, "b": {**zero, "value": 0.1}},
                },
            },
            "gates": [],
        },
    )
    titles = [p.title for p in group_bars(run)]
    assert titles == ["toxic_rate by group"]
