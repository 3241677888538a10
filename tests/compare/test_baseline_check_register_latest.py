"""``baseline check`` compares the baseline with the run the register takes as the suite's
latest (``register.evidence_record.recency``: when it finished, then the ledger's order), not
the last by start time and run id.

Observed: two runs after the baseline, started and finished in one second, sorted by their ids'
random suffixes, so ``baseline check`` compared the run the register reads as the earlier one
(the first appended to the ledger), and its verdict was not on the register's latest run."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.compare.baseline import BaselineStore
from assurance_harness.compare.nightly import check_baselines
from assurance_harness.compare.runs import index_path
from assurance_harness.register.ledger import attach_run
from assurance_harness.store.runread import read_run
from tests.report.runfixtures import gate, rate_metric, row, write_run


def _run(reports: Path, run_id: str, started_at: str, matched: bool) -> Path:
    rows = [row(f"c{i}", scores={"kw": {"matched": matched}}) for i in range(20)]
    rate = rate_metric(rows, "kw.matched", lambda r: r["scores"]["kw"]["matched"])
    return write_run(
        reports,
        run_id,
        rows,
        {"r": rate},
        [gate("r", rate, min=0.5)],
        started_at=started_at,
        index=True,
    )


def test_the_register_s_latest_run_is_the_one_compared(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    ledger = reports / "evidence" / "ledger.jsonl"
    base = "20261130T021500Z-toxicity-core-aaaa"
    attach_run(_run(reports, base, "2026-11-30T02:15:00+00:00", True), ledger_path=ledger)
    # Both in one later second; appended first, though its id sorts last: the earlier run.
    first = "20261130T031500Z-toxicity-core-ffff"
    last = "20261130T031500Z-toxicity-core-0000"
    attach_run(_run(reports, first, "2026-11-30T03:15:00+00:00", True), ledger_path=ledger)
    attach_run(_run(reports, last, "2026-11-30T03:15:00+00:00", False), ledger_path=ledger)
    BaselineStore(index_path(reports)).set(read_run(reports / base))
    compared = check_baselines(reports)
    assert [c.candidate_run for c in compared] == [last]
