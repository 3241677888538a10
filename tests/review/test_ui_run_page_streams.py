"""The web app's run page reads a run's rows as a stream and shows the first ``ROW_LIMIT``.

It held every row of the run (``RunLog.rows``), and for a run with a review policy read them a
second time and deep-copied them (``review.verdict.reviewed_run``): three copies of a
100,000-row run in the server's memory for one page (benchmarks/scale_commands.py). The pages
must come out the same.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from assurance_harness.store.runread import RunLog
from assurance_harness.ui.app import Settings

from ..report.runfixtures import toxicity_run
from .reviewkit import make_project
from .serve import get_page, serving


def test_run_pages_hold_the_rows_at_most_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    reviewed = urllib.parse.quote(project.run().run_id)
    toxicity_run(project.reports, "plain", {1, 4, 7}, n_cases=30, index=True)
    pages = {
        # The review-aware figures are measured over the rows streamed, labelled on the way
        # (608 MB for a reviewed 100,000-case run when they were held).
        f"/runs/{reviewed}": 0,
        f"/runs/{reviewed}?verdict=queued": 0,
        "/runs/plain": 0,
        "/runs/plain?q=idiot&verdict=worst": 0,
        "/runs/plain?score=tox.toxicity%20%3E%200.5": 0,
    }
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        before = {page: get_page(base + page) for page in pages}
        assert "review" in before[f"/runs/{reviewed}"] and "tox-001" in before["/runs/plain"]
        original = RunLog.rows
        calls: list[str] = []

        def counted(self: RunLog) -> list[dict[str, object]]:
            calls.append(self.dir.name)
            return original(self)

        monkeypatch.setattr(RunLog, "rows", counted)
        for page, most in pages.items():
            calls.clear()
            assert get_page(base + page) == before[page], page
            assert len(calls) <= most, f"{page} read every row {len(calls)} times"


def test_a_reviewed_run_page_reads_summary_json_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page read the run, then ``reviewed_run`` read it again: two copies of summary.json
    held while the metrics were measured again (17 MB of objects each for a 100,000-case run,
    whose summary lists every queued row)."""
    from assurance_harness.store import runread

    project = make_project(tmp_path)
    reviewed = urllib.parse.quote(project.run().run_id)
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        before = get_page(base + f"/runs/{reviewed}")
        original = runread._read_run_object
        reads: list[str] = []

        def counted(path: Path) -> tuple[dict[str, object] | None, str | None]:
            reads.append(path.name)
            return original(path)

        monkeypatch.setattr(runread, "_read_run_object", counted)
        assert get_page(base + f"/runs/{reviewed}") == before
    assert reads.count("summary.json") == 1, reads
