"""``assurance trend --target A`` draws the dashed gate lines of A's latest run. Observed: they
came from the latest run of any target, so a plot of A's runs showed B's limit (0.2) where A's
own gate was 0.5, and A's points read as failing a limit they were never held to."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.compare.trend import gate_thresholds

from ..report.runfixtures import gate, rate_metric, row, write_run


def test_the_gate_lines_are_the_chosen_targets(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    for i, (target, limit) in enumerate([("A", 0.5), ("B", 0.2)]):
        rows = [row(f"c{k}", scores={"m": {"matched": True}}) for k in range(10)]
        metric = rate_metric(rows, "m.matched", lambda r: bool(r["scores"]["m"]["matched"]))
        write_run(
            reports,
            f"run-{target}",
            rows,
            {"r": metric},
            [gate("r", metric, min=limit)],
            suite="tv",
            target=target,
            started_at=f"2026-11-0{i + 1}T03:15:00+00:00",
            index=True,
        )
    assert gate_thresholds(reports, "tv", "r") == {"min": 0.2}  # every target: the latest run
    assert gate_thresholds(reports, "tv", "r", target="A") == {"min": 0.5}
    assert gate_thresholds(reports, "tv", "r", target="B") == {"min": 0.2}
