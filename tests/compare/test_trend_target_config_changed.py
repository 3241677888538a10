"""A trend says where the target's configuration changed between runs of one target name.

Observed: ``toxicity-core`` ran against ``targets/demo.yaml`` (config 76a255a446095a91), then
against a copy with another setting under the same ``name:`` (config 565e33b96f475c5f);
``assurance trend toxicity-core toxic_rate`` (with ``--target targets/demo.yaml`` too) drew
both on one line under one target column, with no word of the change, where the register
counts only the first configuration as the system and ``compare`` names the setting that
changed. A changed system prompt or temperature read as the same system's drift.
"""

from __future__ import annotations

from pathlib import Path

from assurance_harness.compare.trend import suite_breaks, trend_figure, trend_points

from ..report.runfixtures import gate, rate_metric, row, write_run
from ..testing.cli import invoke_in_process

CONFIGS = ("76a255a446095a91", "76a255a446095a91", "565e33b96f475c5f", "565e33b96f475c5f")


def _runs(reports: Path) -> None:
    for i, fingerprint in enumerate(CONFIGS):
        passed = fingerprint == CONFIGS[0]
        rows = [row(f"c{k}", scores={"m": {"matched": passed}}) for k in range(10)]
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
            fingerprint=fingerprint,
        )


def test_the_table_names_the_change_of_configuration(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _runs(reports)
    shown = invoke_in_process(
        ["trend", "tv", "r", "--reports", str(reports), "--out", str(tmp_path / "t.png")]
    )
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.output.split())
    assert (
        "the target's configuration changed between runs run-1 and run-2 (target staging: "
        "config 76a255a446095a91 -> config 565e33b96f475c5f)"
    ) in said, said
    assert said.count("configuration changed") == 1


def test_the_plot_does_not_join_two_configurations(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _runs(reports)
    points = trend_points(reports, "tv", "r")
    assert [p.target_fingerprint for p in points] == list(CONFIGS)
    assert [(a.run_id, b.run_id) for a, b in suite_breaks(points)] == [("run-1", "run-2")]
    (ax,) = trend_figure(points, suite="tv", metric="r").axes
    for line in ax.get_lines():
        if line.get_linestyle() == "-":  # a line joining runs: never across the change
            xs = list(line.get_xdata())
            assert not (min(xs) <= 1 and max(xs) >= 2), xs
