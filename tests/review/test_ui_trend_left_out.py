"""The trend page says which run of the suite it left out because its files cannot be read,
as ``assurance trend`` does (issue 12: a gap in the series read as no run)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from assurance_harness.ui.app import Settings

from .reviewkit import make_project
from .serve import serving


def test_the_trend_page_names_a_damaged_run_it_left_out(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    damaged = project.run(reports=False)
    kept = project.run(reports=False)
    (damaged.run_dir / "summary.json").write_text('{"run_id": ', encoding="utf-8")
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        url = base + "/trend?suite=review-demo&metric=bad_rate"
        with urllib.request.urlopen(url, timeout=30) as response:
            html = response.read().decode("utf-8")
    assert html.count("<circle") == 1 and kept.run_id in html
    assert "is left out" in html and damaged.run_id in html
