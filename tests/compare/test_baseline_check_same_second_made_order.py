"""``baseline check`` when a damaged or deleted run and the finished run it would compare
instead started in one second (``started_at`` is to the second). Observed: which of the two was
"the night's latest run" was decided by the ids' random hex suffixes, so a run made after the
finished one, its files unreadable, was passed over whenever its suffix sorted first, and the
finished run before it was compared (and could pass): a green nightly over a night nobody could
read, one time in two. The runs' own order of making (their rows' order in the run index)
decides now, whatever the suffixes.

The ids are chosen so that the suffixes sort against the order the runs were made in.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from assurance_harness.compare.baseline import BaselineStore
from assurance_harness.compare.nightly import UnfinishedCandidate, baseline_pairs
from assurance_harness.compare.runs import index_path
from assurance_harness.compare.trend import trend_points
from assurance_harness.store.runread import read_run
from tests.report.runfixtures import gate, rate_metric, row, write_run

BEFORE = "2026-11-30T03:10:00+00:00"
SECOND = "2026-11-30T03:15:00+00:00"
BASE = "20261130T031000Z-toxicity-core-5555"
SUFFIX_FIRST = "20261130T031500Z-toxicity-core-0000"
SUFFIX_LAST = "20261130T031500Z-toxicity-core-ffff"


def _run(reports: Path, run_id: str, started_at: str) -> Path:
    """A finished run of toxicity-core against staging, indexed as it is written (so the
    index's rows are in the order of these calls)."""
    rows = [row(f"c{i}", scores={"kw": {"matched": True}}) for i in range(10)]
    rate = rate_metric(rows, "kw.matched", lambda r: r["scores"]["kw"]["matched"])
    return write_run(
        reports, run_id, rows, {"r": rate}, [gate("r", rate, min=0.5)],
        started_at=started_at, index=True,
    )  # fmt: skip


def _check(reports: Path) -> tuple[list[str], list[UnfinishedCandidate]]:
    """The candidate runs ``baseline check`` compares, and its no-verdict entries."""
    unfinished: list[UnfinishedCandidate] = []
    pairs = baseline_pairs(reports, unfinished=unfinished)
    return [candidate.run_id for _, candidate in pairs], unfinished


def _accept(reports: Path, run_id: str) -> None:
    BaselineStore(index_path(reports), reports=reports).set(read_run(reports / run_id))


def test_a_damaged_run_made_later_in_the_second_is_no_verdict(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _run(reports, BASE, BEFORE)
    _run(reports, SUFFIX_LAST, SECOND)  # finished, readable: made first
    damaged = _run(reports, SUFFIX_FIRST, SECOND)  # made after it; its suffix sorts first
    _accept(reports, BASE)
    (damaged / "summary.json").write_text("{", encoding="utf-8")  # cut short

    compared, unfinished = _check(reports)
    assert compared == [], compared  # not the run before it in its place
    assert [u.run_id for u in unfinished] == [SUFFIX_FIRST], unfinished
    assert "cannot be read" in unfinished[0].line, unfinished[0].line


def test_a_deleted_run_made_later_in_the_second_is_no_verdict(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _run(reports, BASE, BEFORE)
    _run(reports, SUFFIX_LAST, SECOND)
    shutil.rmtree(_run(reports, SUFFIX_FIRST, SECOND))  # its row in the index kept
    _accept(reports, BASE)

    compared, unfinished = _check(reports)
    assert compared == [], compared
    assert [u.run_id for u in unfinished] == [SUFFIX_FIRST], unfinished
    assert "no longer there" in unfinished[0].line, unfinished[0].line


def test_a_damaged_run_made_earlier_in_the_second_leaves_the_latest_compared(
    tmp_path: Path,
) -> None:
    """The mirror case: the damaged run's suffix sorts last, but it was made first."""
    reports = tmp_path / "reports"
    _run(reports, BASE, BEFORE)
    damaged = _run(reports, SUFFIX_LAST, SECOND)
    _run(reports, SUFFIX_FIRST, SECOND)  # the night's latest run, readable
    _accept(reports, BASE)
    (damaged / "summary.json").write_text("{", encoding="utf-8")

    compared, unfinished = _check(reports)
    assert unfinished == [], [u.line for u in unfinished]
    assert compared == [SUFFIX_FIRST], compared


def test_a_deleted_run_made_earlier_in_the_second_leaves_the_latest_compared(
    tmp_path: Path,
) -> None:
    reports = tmp_path / "reports"
    _run(reports, BASE, BEFORE)
    gone = _run(reports, SUFFIX_LAST, SECOND)
    _run(reports, SUFFIX_FIRST, SECOND)
    _accept(reports, BASE)
    shutil.rmtree(gone)

    compared, unfinished = _check(reports)
    assert unfinished == [], [u.line for u in unfinished]
    assert compared == [SUFFIX_FIRST], compared


def test_of_two_readable_runs_of_one_second_the_one_made_later_is_the_latest(
    tmp_path: Path,
) -> None:
    """Both finished in one second too, no evidence recorded: the check's candidate and the
    trend's last point were the run whose id's suffix sorted last."""
    reports = tmp_path / "reports"
    _run(reports, BASE, BEFORE)
    _run(reports, SUFFIX_LAST, SECOND)
    _run(reports, SUFFIX_FIRST, SECOND)  # made last
    _accept(reports, BASE)

    compared, unfinished = _check(reports)
    assert unfinished == [] and compared == [SUFFIX_FIRST], (compared, unfinished)
    points = trend_points(reports, "toxicity-core", "r")
    assert [p.run_id for p in points] == [BASE, SUFFIX_LAST, SUFFIX_FIRST]
