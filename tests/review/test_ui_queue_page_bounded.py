"""The web app's review queue shows the first ``QUEUE_LIMIT`` rows waiting, and how many wait.

It listed every queued row: a run of 100,000 cases with a quarter flagged made a page of
megabytes (benchmarks/scale_commands.py), which a browser opens slowly if at all, while a
reviewer works down the list from the top. The run page already shows its first ``ROW_LIMIT``.
"""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest

from assurance_harness.review.store import ReviewStore
from assurance_harness.ui import app
from assurance_harness.ui.app import Settings

from .reviewkit import big_queue, make_project
from .serve import get_page, serving


def test_the_queue_page_shows_the_first_rows_and_the_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    project.run(reports=False)
    project.run(reports=False)
    waiting = len(ReviewStore(project.reports / "runs.db").queue())
    assert waiting > 2
    monkeypatch.setattr(app, "QUEUE_LIMIT", 2, raising=False)
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        html = get_page(base + "/review")
    table = html.split('<table id="queue">', 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r'<a href="/review/', table)) == 2
    assert f"2 of {waiting} rows (the first 2)" in html


def test_the_queue_page_reads_the_queue_one_row_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It read every queued row, text and all, into a list before keeping its first rows: the
    page of two reviewed 100,000-case runs (90,000 rows queued) took the app's process from about
    340 to 460-490 MB, the highest of its pages (benchmarks/scale_commands.py --only ui)."""
    reports = tmp_path / "reports"
    n = 1000
    big_queue(reports, n)
    monkeypatch.setattr(app, "QUEUE_LIMIT", 2, raising=False)
    settings = Settings(reports, tmp_path / "register.yaml", tmp_path / "ledger.jsonl")
    with serving(settings) as base:
        first = get_page(base + "/review")  # what it imports and compiles is not what it holds
        tracemalloc.start()
        try:
            html = get_page(base + "/review")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert html == first and f"2 of {n} rows (the first 2)" in html
    # The queue's text is 4 MB: held whole, the page peaks above it; a row at a time, far below.
    assert peak < 1_000_000, f"the queue page peaked at {peak / 1e6:.1f} MB traced"
