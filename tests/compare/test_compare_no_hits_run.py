"""``compare`` of runs of different cases, ten samples a case, where the baseline has no hit:
the candidate's 8 hits in 100 samples, all in three of its ten cases, are what three cases in
ten do by chance at a rate of a few percent with correlated samples. Observed: the clustered
two-proportion test counted the baseline (its variance 0, having no hit) at its full size and
called this a regression at p = 0.012, exit 1: a nightly gate fired on noise."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.compare.engine import compare_runs
from assurance_harness.compare.runs import read_compared

from ..report.runfixtures import gate, rate_metric, row, write_run

SAMPLES = 10


def _run(reports: Path, run_id: str, prefix: str, hits: list[int], day: int) -> Path:
    rows = [
        row(
            f"{prefix}{case}",
            sample=s,
            prompt=f"prompt {prefix}{case}",
            scores={"m": {"matched": s < (hits[case] if case < len(hits) else 0)}},
        )
        for case in range(10)
        for s in range(SAMPLES)
    ]
    rate = rate_metric(rows, "m.matched", lambda r: bool(r["scores"]["m"]["matched"]))
    return write_run(
        reports, run_id, rows, {"r": rate}, [gate("r", rate, max=0.5)], suite="nohits",
        samples=SAMPLES, started_at=f"2026-11-0{day}T03:15:00+00:00",
    )  # fmt: skip


def test_hits_in_a_few_cases_against_none_are_not_a_regression(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    base = read_compared(_run(reports, "run-a", "a", [], 1), reports)
    cand = read_compared(_run(reports, "run-b", "b", [4, 3, 1], 2), reports)
    result = compare_runs(base, cand)
    item = next(m for m in result.metrics if m.metric == "r")
    assert item.test is not None and "10 and 10 cases" in item.test.method, item.test
    assert item.test.p_value is not None and item.test.p_value > 0.05, item.test
    assert result.regressions == [] and result.exit_code == 0, (item.verdict, item.test)


def test_hits_in_every_case_against_none_are_a_regression(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    base = read_compared(_run(reports, "run-a", "a", [], 1), reports)
    cand = read_compared(_run(reports, "run-b", "b", [5] * 10, 2), reports)
    result = compare_runs(base, cand)
    assert [m.metric for m in result.regressions] == ["r"], result.metrics
    assert result.exit_code == 1
