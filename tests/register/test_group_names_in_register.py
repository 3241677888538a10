"""The register's views name a group called "" and the annex says what a figure leaves out.

A real run whose group "" failed its gate: the evidence annex listed the failing groups as
", b" and the group's own figure as "bad_rate []", the register's status pages wrote
"failing groups: , b", and the annex's results showed an overall n of 5 beside groups holding
4 (one row in no group) and a rate's n of 4 for 5 cases without saying where the rows went.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assurance_harness.register.annex import build_annex, render_annex_html, render_annex_md
from assurance_harness.register.html import render_status_html
from assurance_harness.register.markdown import render_status_md
from assurance_harness.register.status import build_status
from tests.review.reviewkit import (
    GROUPS_SUITE,
    NO_GROUP_NOTE,
    SKIPPED_NOTE,
    Project,
    make_project,
)


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, str]]:
    """A project with one real run of the groups suite, attached to its ledger."""
    project = make_project(tmp_path_factory.mktemp("groups"), suite_text=GROUPS_SUITE)
    yield project, project.run().run_id


def _annex(grouped: tuple[Project, str]) -> tuple[str, str]:
    project, run_id = grouped
    annex = build_annex(
        [run_id],
        reports=project.reports,
        register_path=project.register,
        ledger_path=project.ledger,
    )
    return render_annex_md(annex), render_annex_html(annex)


def test_the_annex_quotes_a_group_named_empty_text(grouped: tuple[Project, str]) -> None:
    md, html = _annex(grouped)
    gates = md.split("## 4. Gate verdicts", 1)[1]
    assert '| "", b |' in gates, gates
    assert "| , b |" not in gates
    assert 'bad_rate \\[""\\]' in md and "bad_rate \\[\\]" not in md, md  # as md_text escapes
    assert "<td>&#34;&#34;, b</td>" in html
    assert "bad_rate [&#34;&#34;]" in html and "bad_rate []" not in html


def test_the_annex_says_what_its_figures_leave_out(grouped: tuple[Project, str]) -> None:
    md, html = _annex(grouped)
    results = md.split("## 3. Results", 1)[1].split("## 4.", 1)[0]
    assert f"- `bad_rate`: {NO_GROUP_NOTE}" in results, results
    assert f"- `v_rate`: {SKIPPED_NOTE}" in results, results
    results_html = html.split("<h2>3. Results</h2>", 1)[1].split("<h2>4.", 1)[0]
    assert NO_GROUP_NOTE in results_html and SKIPPED_NOTE in results_html, results_html


def test_the_status_pages_quote_a_group_named_empty_text(grouped: tuple[Project, str]) -> None:
    project, _ = grouped
    status = build_status(project.register, project.ledger)
    md, html = render_status_md(status), render_status_html(status)
    assert 'failing groups: "", b' in md and "failing groups: , b" not in md, md
    assert "failing groups: &#34;&#34;, b" in html and "failing groups: , b" not in html
