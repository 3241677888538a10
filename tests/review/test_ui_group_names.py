"""The run page over real HTTP names a group called "" and says what a figure leaves out.

Its gates table listed the failing groups of a run whose group "" failed as ", b"; its metrics
table showed an overall n of 5 beside groups holding 4 and a rate's n of 4 for 5 cases without
saying where the rows went; and its group filter could not pick the group "" (value="" is
"any"), which it also mixed up with the rows in no group.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator

import pytest

from assurance_harness.ui.app import Settings

from .reviewkit import GROUPS_SUITE, NO_GROUP_NOTE, SKIPPED_NOTE, make_project
from .serve import get_page, serving


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The served base URL and the run page's path."""
    project = make_project(tmp_path_factory.mktemp("ui-groups"), suite_text=GROUPS_SUITE)
    run_id = project.run(reports=False).run_id
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        yield base, f"/runs/{urllib.parse.quote(run_id, safe='')}"


def _rows(html: str) -> list[str]:
    """The keys of the rows the page lists."""
    return re.findall(r'<tr id="row-([^"]+)">', html)


def test_the_gates_table_quotes_a_group_named_empty_text(page: tuple[str, str]) -> None:
    base, path = page
    html = get_page(base + path)
    assert "<td>&#34;&#34;, b</td></tr>" in html, html
    assert "<td>, b</td>" not in html


def test_the_metrics_table_says_what_its_figures_leave_out(page: tuple[str, str]) -> None:
    base, path = page
    html = get_page(base + path)
    metrics = html.split('id="metrics"', 1)[1].split("</table>", 1)[0]
    assert NO_GROUP_NOTE in metrics, metrics
    assert SKIPPED_NOTE in metrics, metrics


def test_the_group_filter_picks_the_group_named_empty_text(page: tuple[str, str]) -> None:
    base, path = page
    html = get_page(base + path)
    select = html.split('<select name="group">', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    assert ("", "any") in options, select
    empty = next(value for value, label in options if label == "&#34;&#34;")
    assert empty != "", select  # not "any"
    query = urllib.parse.quote(empty.replace("&#34;", '"'), safe="")
    picked = get_page(f"{base}{path}?group={query}")
    assert _rows(picked) == ["c2#0"], picked  # c5, in no group, is not in the group ""
    assert f'<option value="{empty}" selected>' in picked
    # The URLs the form wrote before keep their meaning: "" and no parameter are any group.
    assert len(_rows(get_page(f"{base}{path}?q=&group=&verdict="))) == 5
    assert len(_rows(get_page(base + path))) == 5
    assert _rows(get_page(f"{base}{path}?group=b")) == ["c3#0", "c4#0"]
