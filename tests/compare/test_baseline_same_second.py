"""``baseline check`` compares the run after the baseline even when both started in the same
second (``started_at`` is to the second; two such runs sort by their ids' random suffixes).

Observed in a fresh clone on a fast machine: a run accepted as baseline, then a failed run
started within the same second, and ``baseline check`` said "no run newer than its baseline to
compare" with exit 0: the failed run was never looked at."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.compare.nightly import check_baselines
from tests.report.runfixtures import gate, rate_metric, row, write_run
from tests.testing.cli import run_cli

SECOND = "2026-11-30T03:15:00+00:00"


def _run(reports: Path, run_id: str, matched: bool) -> None:
    rows = [row(f"c{i}", scores={"kw": {"matched": matched}}) for i in range(20)]
    rate = rate_metric(rows, "kw.matched", lambda r: r["scores"]["kw"]["matched"])
    write_run(
        reports,
        run_id,
        rows,
        {"r": rate},
        [gate("r", rate, min=0.5)],
        started_at=SECOND,
        index=True,
    )


def test_a_run_started_in_the_baseline_s_second_is_compared(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _run(reports, "20261130T031500Z-toxicity-core-ffff", matched=True)  # the baseline: sorts last
    _run(reports, "20261130T031500Z-toxicity-core-0000", matched=False)
    accepted = run_cli(
        "baseline", "set", "20261130T031500Z-toxicity-core-ffff", "--reports", str(reports)
    )
    assert accepted.returncode == 0, accepted.stderr
    compared = check_baselines(reports)
    assert [c.candidate_run for c in compared] == ["20261130T031500Z-toxicity-core-0000"]
