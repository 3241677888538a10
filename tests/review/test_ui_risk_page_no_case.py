"""The risk page says why a failed gate shows no responses behind it. A gate that failed on a
group none of whose rows pushed it toward failing (its interval bound alone broke the limit)
names no worst case, and the page showed nothing under its evidence table: read as a failure
with no evidence behind it. It now says so, as the report and annex do
(``formatting.no_case_text``), the group's name escaped."""

from __future__ import annotations

import html
import json

import pytest

from assurance_harness.ui.app import Settings

from .reviewkit import BOUND_ONLY_LINE, BOUND_ONLY_SUITE, GROUPS_SUITE, Project, make_project
from .serve import get_page, serving


@pytest.fixture(scope="module")
def bound_only(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = make_project(tmp_path_factory.mktemp("risk-no-case"), suite_text=BOUND_ONLY_SUITE)
    outcome = project.run()
    (gate,) = json.loads((outcome.run_dir / "summary.json").read_text("utf-8"))["gates"]
    assert gate["verdict"] == "fail" and gate["failing_groups"] == ["<small>"], gate
    assert gate["worst_cases"] == [], gate
    return project


def _risk_page(project: Project) -> str:
    with serving(Settings(project.reports, project.register, project.ledger)) as base:
        return get_page(f"{base}/register/R-001")


def test_the_risk_page_says_no_case_pushed_the_failing_group(bound_only: Project) -> None:
    page = _risk_page(bound_only)
    line = html.escape("bad_rate <= 0.2 (upper bound): " + BOUND_ONLY_LINE, quote=False)
    assert line in page, page
    assert "<small>" not in page  # the group's name is text, not markup


def test_a_gate_that_names_its_cases_shows_them_without_the_line(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    project = make_project(tmp_path_factory.mktemp("risk-cases"), suite_text=GROUPS_SUITE)
    project.run()  # its gate fails on groups "" and b, naming c2 and c3
    page = _risk_page(project)
    assert "The responses behind the failing gates" in page, page
    assert "no single case pushed" not in page, page


def test_a_worst_case_link_searches_for_its_whole_case_id(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A case id may hold '#' (a perturbed variant's ``a~typo#0``): the link searched for what
    came before its first '#', every variant of the case, not the one case shown."""
    suite = GROUPS_SUITE.replace("{id: c2,", '{id: "c2#x",')
    project = make_project(tmp_path_factory.mktemp("risk-hash-id"), suite_text=suite)
    project.run()
    page = _risk_page(project)
    assert ">c2#x#0</a>" in page, page
    assert "?q=c2%23x" in page, page
