"""The web app's trend page, like ``assurance trend``, does not join runs of two suite files
(or of two sets of cases) and says where the suite changed; and its whiskers name their level.
Observed: ``assurance trend`` cut its line and printed the change, while the trend page of the
same runs drew 1 then 0 joined by one line, with no word: a change of the cases read as a
collapse of the target."""

from __future__ import annotations

import re
from pathlib import Path

from assurance_harness.compare.trend import trend_points
from assurance_harness.ui.svg import trend_svg

from ..report.runfixtures import two_suite_files


def _segments(svg: str) -> list[list[float]]:
    """The x coordinates of each polyline (a line joining runs)."""
    return [
        [float(pair.split(",")[0]) for pair in points.split()]
        for points in re.findall(r'<polyline[^>]*points="([^"]+)"', svg)
    ]


def test_the_svg_does_not_join_runs_of_two_suite_files_and_marks_the_change(
    tmp_path: Path,
) -> None:
    reports = tmp_path / "reports"
    two_suite_files(reports)
    points = trend_points(reports, "tv", "r")
    svg = trend_svg(points, title="tv: r")
    segments = _segments(svg)
    assert [len(s) for s in segments] == [2, 2], segments
    assert "suite or cases changed" in svg


def test_the_svg_names_its_whiskers_level_and_tells_two_levels_apart(tmp_path: Path) -> None:
    reports = tmp_path / "one"
    two_suite_files(reports)
    assert "whiskers: 95% interval" in trend_svg(trend_points(reports, "tv", "r"), title="t")
    mixed = tmp_path / "two"
    two_suite_files(mixed, levels=(0.95, 0.999, 0.95, 0.999))
    svg = trend_svg(trend_points(mixed, "tv", "r"), title="t")
    assert "95%" in svg and "99.9%" in svg and "whiskers: 95% interval" not in svg


def test_the_trend_page_says_where_the_suite_changed(tmp_path: Path) -> None:
    import urllib.request

    from assurance_harness.ui.app import Settings

    from .serve import serving

    reports = tmp_path / "reports"
    two_suite_files(reports)
    settings = Settings(reports, tmp_path / "register.yaml", reports / "ledger.jsonl")
    with serving(settings) as base:
        url = base + "/trend?suite=tv&metric=r"
        with urllib.request.urlopen(url, timeout=30) as response:
            html = response.read().decode("utf-8")
    assert html.count("<circle") == 4
    assert "suite file changed between runs run-1 and run-2" in html, html
    assert len(_segments(html)) == 2
