"""The risk page's evidence table says which figure its verdict was made on. A gate that awaited
review is judged again with the reviews in (the risk's status above the table does so): its row
showed only the verdict and figure recorded (awaiting_review, 0.4) under a status that read
"failing ... (0.6)", with nothing saying which was which. The table now labels the recorded
figure and verdict as recorded, and shows beside them the verdict and figure with the reviews
in, the ones the status was judged on."""

from __future__ import annotations

import re

import pytest

from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.ui.app import Settings
from tests.register.test_purged_reviewed_status import HUMAN_GATE

from .reviewkit import Project, make_project
from .serve import get_page, serving


def _cells(html: str) -> tuple[list[str], list[str]]:
    """The evidence table's header cells and its first row's cells, as text."""
    table = html[html.index("<th>evidence</th>") :]
    table = table[: table.index("</table>")]
    heads = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th>(.*?)</th>", table)]
    first = table[table.index("<tr>", 1) :]
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", first)]
    return heads, cells


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A run of HUMAN_GATE with its three flagged rows labelled bad: 0.4 as recorded, 0.6 with
    the reviews in, over the gate's max 0.5."""
    project = make_project(tmp_path_factory.mktemp("risk-page"), suite_text=HUMAN_GATE)
    run_id = project.run(reports=False).run_id
    paths = ReviewPaths.default(project.reports, register=project.register)
    for key in ("c1#0", "c2#0", "c3#0"):
        adjudicate(paths, run_id=run_id, key=key, reviewer="alice", token=None, agree=False,
                   label=True)  # fmt: skip
    return project


def test_a_gate_judged_again_with_the_reviews_shows_both_figures_labelled(
    reviewed: Project,
) -> None:
    project = reviewed
    settings = Settings(project.reports, project.register, project.ledger)
    with serving(settings) as base:
        page = get_page(f"{base}/register/R-001")
    assert 'id="risk-status">failing<' in page and "(0.6)" in page, page[:1500]
    heads, cells = _cells(page)
    row = dict(zip(heads, cells, strict=True))
    assert row["verdict (recorded)"] == "awaiting_review", row
    assert row["value (recorded)"] == "0.4", row
    assert row["verdict with reviews"] == "fail", row
    assert row["value with reviews"] == "0.6", row
