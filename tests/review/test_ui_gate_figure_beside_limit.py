"""The web app's run page shows a gate's figure with the digits that put it on its side of the
limit. Observed: a mean of 0.100004 failing ``max: 0.1`` read "0.1" beside the badge "fail"
in the gates table (the console, reports, JUnit and annex already widened it:
``formatting.num_beside``)."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from assurance_harness.ui.app import Settings

from .reviewkit import make_project
from .serve import get_page, serving

SUITE = """
suite: review-demo
version: 1.0.0
evidence_for: [R-001]
cases:
  - {id: c1, prompt: "c1: greet", metadata: {x: 0.1}}
  - {id: c2, prompt: "c2: rant", metadata: {x: 0.100016}}
  - {id: c4, prompt: "c4: sum", metadata: {x: 0.1}}
  - {id: c5, prompt: "c5: refuse", metadata: {x: 0.1}}
scorers:
  - {id: kw, use: contains, with: {terms: [hate]}}
metrics:
  - {id: x_mean, mean: meta.x}
gates:
  - {metric: x_mean, max: 0.1, bound: point}
"""


def test_the_run_page_shows_a_failed_figure_over_its_limit(tmp_path: Path) -> None:
    project = make_project(tmp_path, suite_text=SUITE)
    run_id = project.run(reports=False).run_id
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        page = get_page(f"{base}/runs/{urllib.parse.quote(run_id, safe='')}")
    table = re.search(r'<table id="gates">.*?</table>', page, re.S)
    assert table, page
    cells = re.findall(r'<td class="num">([^<]*)</td>', table.group(0))
    assert "fail" in table.group(0) and cells[0] == "0.100004", cells
