"""A verdict the app refuses is answered with a status that says it was refused, and the row's
page still says why: a reviewer whose token does not match is a 403, a run whose files changed
since it was recorded is a 409. Was: every refusal a 200, a page that read to a script (or a
browser's history) as the verdict taken. Served by the real app on 127.0.0.1."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator

import pytest

from assurance_harness.register.ledger import read_ledger
from assurance_harness.review.store import ReviewStore
from assurance_harness.ui.app import Settings

from .reviewkit import Project, make_project
from .serve import serving
from .test_ui_hostile_http import _form_session, _post_form

ROW = "c2#0"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, str, str, str]]:
    """One run for the module: each test leaves it as it found it (a verdict taken is on
    another row than ``ROW``)."""
    project = make_project(tmp_path_factory.mktemp("refused"))
    run_id = project.run(reports=False).run_id
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote(ROW, safe='')}"
    with serving(settings) as base:
        yield project, run_id, base, path


def _refused(project: Project, run_id: str) -> None:
    assert not [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]
    assert ReviewStore(project.reports / "runs.db").history(run_id, ROW) == []


def _error(text: str) -> str:
    found = re.search(r'id="error">([^<]*)', text)
    assert found, text[:800]
    return found.group(1)


def test_a_reviewer_whose_token_does_not_match_is_a_403_that_says_so(site) -> None:
    project, run_id, base, path = site
    ReviewStore(project.reports / "runs.db").add_reviewer("bob", "bob-secret")
    token, cookie = _form_session(base, path)
    body = urllib.parse.urlencode(
        {"csrf_token": token, "decision": "true", "reviewer": "bob", "token": "wrong"}
    )
    status, text = _post_form(base, path, body, cookie)
    assert status == 403, (status, text[:500])
    assert "token" in _error(text) and "does not match" in _error(text)
    _refused(project, run_id)


def test_a_verdict_on_a_run_whose_results_changed_is_a_409_that_says_so(site) -> None:
    project, run_id, base, path = site
    token, cookie = _form_session(base, path)
    results = project.reports / run_id / "results.jsonl"
    recorded = results.read_bytes()
    results.write_bytes(recorded + b"\n")  # the run's files, edited since it ran
    body = urllib.parse.urlencode({"csrf_token": token, "decision": "true", "reviewer": "alice"})
    try:
        status, text = _post_form(base, path, body, cookie)
    finally:
        results.write_bytes(recorded)
    assert status == 409, (status, text[:500])
    assert "results.jsonl" in _error(text) and "no verdict" in _error(text)
    _refused(project, run_id)


def test_a_verdict_taken_is_still_a_redirect_to_the_saved_page(site) -> None:
    project, run_id, base, _ = site
    path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c1#0', safe='')}"
    token, cookie = _form_session(base, path)
    body = urllib.parse.urlencode({"csrf_token": token, "decision": "true", "reviewer": "alice"})
    status, text = _post_form(base, path, body, cookie)
    assert status == 303, (status, text[:500])
    assert len(ReviewStore(project.reports / "runs.db").history(run_id, "c1#0")) == 1
