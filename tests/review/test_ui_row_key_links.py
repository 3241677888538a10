"""Links to a queued row whose case id holds a slash, dots or other characters a URL's path
gives a meaning to. Jinja's ``urlencode`` keeps "/": the review links of rows "a/b?x#0" and
"../../etc#0" led to a 404, and the browser resolved the second's dots to another page."""

from __future__ import annotations

import html
import re
import urllib.parse
import urllib.request
from pathlib import Path

from assurance_harness.ui.app import Settings

from .reviewkit import SUITE, make_project
from .serve import get_page, serving

ODD_IDS = {"c1": "a/b?x%2F..", "c2": "../../etc", "c3": "<i>x</i> #1"}


def test_every_review_link_of_a_row_with_an_odd_case_id_opens_that_row(tmp_path: Path) -> None:
    suite = SUITE
    for plain, odd in ODD_IDS.items():
        suite = suite.replace(f"{{id: {plain},", f"{{id: {odd!r},")
    project = make_project(tmp_path, suite_text=suite)
    run_id = project.run(reports=False).run_id
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        opened: dict[str, str] = {}
        for page in (f"/runs/{run_id}", "/review"):
            for href in re.findall(r'href="(/review/[^"]+)"', get_page(base + page)):
                url = urllib.parse.urljoin(base + page, html.unescape(href))  # as a browser
                with urllib.request.urlopen(url, timeout=30) as response:
                    assert response.status == 200, url
                    heading = re.search(r"<h1>Review (.*)</h1>", response.read().decode())
                assert heading, url
                opened[html.unescape(heading.group(1))] = url
    assert {f"{odd}#0" for odd in ODD_IDS.values()} <= set(opened), opened
