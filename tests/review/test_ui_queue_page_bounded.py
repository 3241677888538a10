"""The web app's review queue shows the first ``QUEUE_LIMIT`` rows waiting, and how many wait.

It listed every queued row: a run of 100,000 cases with a quarter flagged made a page of
megabytes (benchmarks/scale_commands.py), which a browser opens slowly if at all, while a
reviewer works down the list from the top. The run page already shows its first ``ROW_LIMIT``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assurance_harness.review.store import ReviewStore
from assurance_harness.ui import app
from assurance_harness.ui.app import Settings

from .reviewkit import make_project
from .serve import get_page, serving


def test_the_queue_page_shows_the_first_rows_and_the_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    project.run()
    project.run()
    waiting = len(ReviewStore(project.reports / "runs.db").queue())
    assert waiting > 2
    monkeypatch.setattr(app, "QUEUE_LIMIT", 2, raising=False)
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        html = get_page(base + "/review")
    table = html.split('<table id="queue">', 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r'<a href="/review/', table)) == 2
    assert f"2 of {waiting} rows (the first 2)" in html
