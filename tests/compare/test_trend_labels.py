"""Trend plot x labels tell runs apart."""

from __future__ import annotations

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
