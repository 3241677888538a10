"""A trend says where the suite file changed between its runs. Observed: suite ``tv`` version
1 (ten prompts the target answers) and version 2 (ten others, which it fails) ran against the
same target; ``assurance trend tv r`` drew 1 then 0 joined by one line, its table with no
column and no line that told the two suites apart, where ``assurance compare`` of the same two
runs warns "the suite file changed between the runs". A reader took a change of the cases for
a collapse of the target."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.compare.trend import trend_figure, trend_points

from ..report.runfixtures import gate, rate_metric, row, two_suite_files, write_run
from ..testing.cli import invoke_in_process


def test_the_table_names_the_change_of_suite_file(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    two_suite_files(reports)
    shown = invoke_in_process(
        ["trend", "tv", "r", "--reports", str(reports), "--out", str(tmp_path / "t.png")]
    )
    assert shown.exit_code == 0, shown.output
    assert "suite file changed" in shown.output, shown.output
    assert "run-1" in shown.output and "run-2" in shown.output


def test_the_plot_does_not_join_runs_of_two_suite_files(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    two_suite_files(reports)
    points = trend_points(reports, "tv", "r")
    assert [p.suite_sha256 for p in points] == ["1" * 64] * 2 + ["2" * 64] * 2
    (ax,) = trend_figure(points, suite="tv", metric="r").axes
    for line in ax.get_lines():
        if line.get_linestyle() == "-":  # a line joining runs: never across the change
            xs = list(line.get_xdata())
            assert not (min(xs) <= 1 and max(xs) >= 2), xs


def test_a_change_of_cases_under_one_suite_file_is_said_too(tmp_path: Path) -> None:
    """A dataset the suite reads changed (the suite file did not): other cases all the same."""
    reports = tmp_path / "reports"
    for i, prefix in enumerate(["c", "c", "d"]):
        rows = [row(f"{prefix}{k}", scores={"m": {"matched": True}}) for k in range(10)]
        metric = rate_metric(rows, "m.matched", lambda r: bool(r["scores"]["m"]["matched"]))
        write_run(
            reports,
            f"run-{i}",
            rows,
            {"r": metric},
            [gate("r", metric, min=0.5)],
            suite="tv",
            started_at=f"2026-11-0{i + 1}T03:15:00+00:00",
            index=True,
        )
    shown = invoke_in_process(
        ["trend", "tv", "r", "--reports", str(reports), "--out", str(tmp_path / "t.png")]
    )
    assert shown.exit_code == 0, shown.output
    assert "cases changed between runs run-1 and run-2" in " ".join(shown.output.split())
