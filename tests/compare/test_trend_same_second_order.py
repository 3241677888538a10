"""A trend orders runs as the register picks a suite's latest run: by when each finished, then
by the ledger's order, never by the random hex suffix of the run id.

Observed: two runs started (and finished) in one second were ordered by ``(started_at, run_id)``,
so the trend's last point, and the gate limit its plot draws, could be the run the register
reads as the earlier one (it orders by ``finished_at``, then the order the runs were appended).
"""

from __future__ import annotations

import json
from pathlib import Path

from assurance_harness.compare.trend import gate_thresholds, trend_points
from assurance_harness.register.ledger import attach_run

from ..report.runfixtures import gate, rate_metric, row, write_run


def _run(reports: Path, run_id: str, matched: int, limit: float) -> Path:
    rows = [row(f"c{k}", scores={"m": {"matched": k < matched}}) for k in range(10)]
    metric = rate_metric(rows, "m.matched", lambda r: bool(r["scores"]["m"]["matched"]))
    return write_run(
        reports,
        run_id,
        rows,
        {"r": metric},
        [gate("r", metric, max=limit)],
        suite="tv",
        started_at="2026-11-02T03:15:00+00:00",  # both in one second
        index=True,
    )


def test_runs_of_one_second_follow_the_ledgers_order(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    ledger = reports / "evidence" / "ledger.jsonl"
    # Appended first, though its id sorts last: the register's earlier run.
    attach_run(_run(reports, "20261102-031500-ffff", 2, 0.5), ledger_path=ledger)
    attach_run(_run(reports, "20261102-031500-0000", 3, 0.6), ledger_path=ledger)
    finished = {
        json.loads((reports / name / "summary.json").read_text())["finished_at"]
        for name in ("20261102-031500-ffff", "20261102-031500-0000")
    }
    assert len(finished) == 1  # one end too: only the ledger's order tells them apart
    points = trend_points(reports, "tv", "r")
    assert [p.run_id for p in points] == ["20261102-031500-ffff", "20261102-031500-0000"]
    assert [p.value for p in points] == [0.2, 0.3]
    assert gate_thresholds(reports, "tv", "r") == {"max": 0.6}  # the latest run's limit
    assert [p.run_id for p in trend_points(reports, "tv", "r", last=1)] == ["20261102-031500-0000"]
