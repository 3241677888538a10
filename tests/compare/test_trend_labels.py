"""Trend plot x labels tell runs apart."""

from __future__ import annotations

import itertools

from assurance_harness.compare.trend import TrendPoint, tick_labels


def point(started_at: str, n: int = 46) -> TrendPoint:
    return TrendPoint("r", started_at, "t", None, 0.1, 0.0, 0.2, n, ["pass"])


def test_runs_on_the_same_day_get_their_time_of_day() -> None:
    labels = tick_labels(
        [point("2026-11-30T04:35:23+00:00"), point("2026-11-30T04:35:40+00:00", 40)]
    )
    assert labels == ["2026-11-30 04:35\nn=46", "2026-11-30 04:35\nn=40"]
    assert len(set(tick_labels([point("2026-11-30T01:00:00"), point("2026-11-30T02:00:00")]))) == 2


def test_runs_on_different_days_keep_the_date_alone() -> None:
    labels = tick_labels([point("2026-11-29T04:00:00+00:00"), point("2026-11-30T04:00:00+00:00")])
    assert labels == ["2026-11-29\nn=46", "2026-11-30\nn=46"]


def _tick_boxes(fig):
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    return [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]


def test_trend_labels_never_overlap_with_many_runs() -> None:
    """Observed: at 20 runs on one day the date-and-time labels ran into each other."""
    from assurance_harness.compare.trend import trend_figure

    points = [point(f"2026-11-30T{h:02d}:{m:02d}:00+00:00") for h in range(10) for m in (0, 30)]
    points += [point(f"2026-12-01T0{h}:00:00+00:00") for h in range(8)]
    fig = trend_figure(points, suite="s", metric="m")
    boxes = _tick_boxes(fig)
    assert boxes
    for a, b in itertools.pairwise(boxes):
        assert not a.overlaps(b), (a, b)


def test_runs_against_different_targets_are_separate_lines() -> None:
    """Observed: one line joined runs against staging and production, as if one system."""
    from assurance_harness.compare.trend import TrendPoint, trend_figure

    points = [
        TrendPoint(f"r{i}", f"2026-11-{10 + i}T04:00:00", target, None, v, None, None, 40, [])
        for i, (target, v) in enumerate(
            [("staging", 0.1), ("prod", 0.3), ("staging", 0.12), ("prod", 0.28)]
        )
    ]
    fig = trend_figure(points, suite="s", metric="m")
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert list(lines["target staging"].get_xdata()) == [0, 2]
    assert list(lines["target prod"].get_xdata()) == [1, 3]


def test_a_target_or_suite_name_holding_dollars_is_drawn_as_text() -> None:
    """Was: ``assurance trend`` over runs against a target named ``$\\nope{$`` (and another)
    ended in an internal error: matplotlib read the legend's name as mathtext (ValueError)."""
    from assurance_harness.compare.trend import TrendPoint, trend_png

    points = [
        TrendPoint(f"r{i}", f"2026-11-{10 + i}T04:00:00", target, None, 0.2, None, None, 40, [])
        for i, target in enumerate(["$\\nope{$", "prod"])
    ]
    assert trend_png(points, suite="$x^2$ \x1b", metric="m").startswith(b"\x89PNG")
