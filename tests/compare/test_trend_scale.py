"""``assurance trend`` over a long history: its memory does not grow with every run it reads.

``trend --last 2000`` peaked at 361-377 MB (benchmarks/scale_commands.py, 2,000 runs), and more
with every run: the plot was 0.45 inch wide a run (a PNG 90,300 pixels wide, a 159 MB canvas
drawn twice), and every run of the suite was read and held whole (summary, manifest) to take a
handful of figures from it, then read again for the latest run's gate thresholds.
"""

from __future__ import annotations

import struct
import tracemalloc
from pathlib import Path

from assurance_harness.compare.trend import (
    TrendPoint,
    gate_thresholds,
    trend_figure,
    trend_png,
    trend_points,
)

from ..report.runfixtures import gate, rate_metric, row, write_run


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _points(n: int) -> list[TrendPoint]:
    return [
        TrendPoint(
            f"r{i}",
            f"2026-{1 + i // 2000:02d}-01T{i // 60 % 24:02d}:{i % 60:02d}:00",
            "t",
            None,
            0.1 + (i % 7) / 100,
            0.05,
            0.25,
            40,
            ["fail" if i % 5 == 0 else "pass"],
        )
        for i in range(n)
    ]


def test_the_plot_of_many_runs_is_a_bounded_image() -> None:
    """Was 0.45 inch a run: 120 runs made a PNG 5,700 pixels wide (2,000 runs: 90,300)."""
    few = _png_size(trend_png(_points(10), suite="s", metric="m"))
    many = _png_size(trend_png(_points(120), suite="s", metric="m"))
    assert many[1] == few[1]
    assert many[0] <= 2400, many


def test_failed_and_passing_runs_keep_their_colours_and_whiskers() -> None:
    fig = trend_figure(_points(10), suite="s", metric="m", baseline_run="r3")
    ax = fig.axes[0]
    drawn = {}  # marker colour -> x of the points drawn in it
    for line in ax.get_lines():
        if line.get_marker() == "o" and line.get_label() != "baseline":
            drawn.setdefault(line.get_color(), []).extend(int(x) for x in line.get_xdata())
    assert sorted(drawn["#c62828"]) == [0, 5]
    assert sorted(drawn["#3f6fb5"]) == [1, 2, 3, 4, 6, 7, 8, 9]
    (ring,) = [line for line in ax.get_lines() if line.get_label() == "baseline"]
    assert list(ring.get_xdata()) == [3]
    whiskers = sum(len(c.get_segments()) for c in ax.collections)
    assert whiskers == 10, "an interval whisker a point"


def _history(reports: Path, runs: int, metrics: int) -> None:
    """``runs`` runs of one suite, each with ``metrics`` metrics (a wide summary.json)."""
    rows = [row(f"c{i}", scores={"kw": {"matched": i % 3 == 0}}) for i in range(6)]
    rate = rate_metric(rows, "kw.matched", lambda r: r["scores"]["kw"]["matched"])
    wide = {f"m{j:03d}": rate for j in range(metrics)}
    for i in range(runs):
        write_run(
            reports,
            f"run-{i:03d}",
            rows,
            wide,
            [gate("m000", rate, max=0.9 - i / 1000)],
            started_at=f"2026-11-{1 + i // 24:02d}T{i % 24:02d}:00:00+00:00",
            index=True,
        )


def test_trend_holds_a_point_a_run_not_the_run(tmp_path: Path) -> None:
    """30 runs with 100 metrics each: every summary held whole took megabytes; a point each
    takes a few hundred bytes. The points and thresholds are the latest run's, as before."""
    _history(tmp_path, 30, 100)
    trend_points(tmp_path, "toxicity-core", "m000")  # what it imports is not what it holds
    tracemalloc.start()
    try:
        points = trend_points(tmp_path, "toxicity-core", "m000", last=5)
        thresholds = gate_thresholds(tmp_path, "toxicity-core", "m000")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [p.run_id for p in points] == [f"run-{i:03d}" for i in range(25, 30)]
    assert thresholds == {"max": 0.9 - 29 / 1000}
    held_one_run_at_a_time = 1_000_000
    assert peak < held_one_run_at_a_time, f"{peak / 1e6:.1f} MB traced"
