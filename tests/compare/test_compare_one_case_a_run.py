"""``compare`` of two runs with one case each, of several samples: one prompt's samples show how
that prompt's answers vary, not how prompts do, so no test of a change can be made from them,
as no interval of either run's own figure can (``stats.intervals.one_cluster_reason``).

Observed: a rate went to ``clustered_two_proportion`` (its effective n the samples' total) and
a mean fell through to a plain Welch test over the samples: 0 of 4 against 4 of 4 samples of
two single prompts gave p = 0.0047, "regressed" and exit 1.
"""

from __future__ import annotations

from pathlib import Path

from assurance_harness.compare.engine import compare_runs
from assurance_harness.compare.runs import read_compared

from ..report.runfixtures import gate, mean_metric, rate_metric, row, write_run

SAMPLES = 4


def _run(reports: Path, run_id: str, case: str, hit: bool) -> Path:
    rows = [
        row(case, sample=s, prompt=f"prompt of {case}", scores={"m": {"matched": hit}})
        for s in range(SAMPLES)
    ]
    rate = rate_metric(rows, "m.matched", lambda r: bool(r["scores"]["m"]["matched"]))
    mean = mean_metric(rows, "m.matched * 2", lambda r: 2.0 * r["scores"]["m"]["matched"])
    return write_run(
        reports,
        run_id,
        rows,
        {"r": rate, "v": mean},
        [gate("r", rate, max=0.5), gate("v", mean, max=1.0)],
        suite="one",
        samples=SAMPLES,
        started_at=f"2026-11-0{1 + int(hit)}T03:15:00+00:00",
    )


def test_no_test_is_made_over_one_case_a_run(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    base = read_compared(_run(reports, "run-a", "a", hit=False), reports)
    cand = read_compared(_run(reports, "run-b", "b", hit=True), reports)
    result = compare_runs(base, cand)
    assert not result.paired
    by_metric = {m.metric: m for m in result.metrics}
    for metric in ("r", "v"):
        item = by_metric[metric]
        assert item.test is None, (metric, item.test)
        assert item.verdict == "untested", (metric, item.verdict)
        assert "one case" in (item.note or ""), (metric, item.note)
    assert result.regressions == [] and result.exit_code == 3, result.unmeasured


def test_no_test_is_made_over_one_outcome_against_clustered_cases(tmp_path: Path) -> None:
    """A baseline of one case of one sample against a candidate of three cases of several:
    its single outcome counted as a case (an effective n of one) read p = 0.042 against 4/4
    in each candidate case, "regressed" from one answer."""
    reports = tmp_path / "reports"
    base_rows = [row("a", prompt="prompt of a", scores={"m": {"matched": False}})]
    cand_rows = [
        row(case, sample=s, prompt=f"prompt of {case}", scores={"m": {"matched": True}})
        for case in ("b", "c", "d")
        for s in range(SAMPLES)
    ]
    runs = []
    for run_id, rows, samples, day in (("run-a", base_rows, 1, 1), ("run-b", cand_rows, 4, 2)):
        rate = rate_metric(rows, "m.matched", lambda r: bool(r["scores"]["m"]["matched"]))
        folder = write_run(
            reports, run_id, rows, {"r": rate}, [gate("r", rate, max=0.5)], suite="one",
            samples=samples, started_at=f"2026-11-0{day}T03:15:00+00:00",
        )  # fmt: skip
        runs.append(read_compared(folder, reports))
    result = compare_runs(*runs)
    item = next(m for m in result.metrics if m.metric == "r")
    assert item.test is None and item.verdict == "untested", (item.test, item.verdict)
    assert "at least two cases" in (item.note or ""), item.note
    assert result.regressions == [], result.regressions
