"""The trend's plot says at what level its whiskers are drawn. Observed: the table labels each
run's interval ("99.9% [0.1, 0.9]", ``test_trend_interval_level``), but the PNG drew a 95% and a
99.9% interval as the same whiskers with no word of either level, so the wider one read as a
less certain measurement of the same kind; and a plot whose every interval is 99.9% read as
the usual 95%."""

from __future__ import annotations

from typing import Any

from assurance_harness.compare.trend import TrendPoint, trend_figure


def _point(run: str, confidence: float | None) -> TrendPoint:
    return TrendPoint(
        run_id=run,
        started_at=f"2026-12-0{run[-1]}T10:00:00",
        target="t",
        model_version=None,
        value=0.5,
        ci_low=0.3 if confidence == 0.95 else 0.1,
        ci_high=0.7 if confidence == 0.95 else 0.9,
        n=20,
        verdicts=["pass"],
        confidence=confidence,
    )


def _texts(fig: Any) -> str:
    (ax,) = fig.axes
    legend = ax.get_legend()
    shown = [ax.get_xlabel(), ax.get_title()]
    if legend is not None:
        shown += [t.get_text() for t in legend.get_texts()]
    return "\n".join(shown)


def test_one_level_is_named_on_the_plot() -> None:
    fig = trend_figure([_point("r1", 0.999), _point("r2", 0.999)], suite="s", metric="m")
    assert "99.9% interval" in _texts(fig)


def test_two_levels_are_told_apart_on_the_plot() -> None:
    points = [_point("r1", 0.95), _point("r2", 0.999), _point("r3", 0.95)]
    texts = _texts(trend_figure(points, suite="s", metric="m"))
    assert "95% interval" in texts and "99.9% interval" in texts, texts
    (ax,) = trend_figure(points, suite="s", metric="m").axes
    # Each level drawn as its own series (its own marker), not one set of whiskers for both.
    markers = {line.get_marker() for line in ax.get_lines() if line.get_linestyle() == "None"}
    assert len(markers) >= 2, markers


def test_an_unrecorded_level_is_not_called_95() -> None:
    texts = _texts(trend_figure([_point("r1", None)], suite="s", metric="m"))
    assert "95%" not in texts, texts
