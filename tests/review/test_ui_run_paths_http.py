"""The web app over real HTTP against run ids and files that name something outside the reports
folder: a run id that is a path (absolute, ``..``, percent-encoded), a symlink in the reports
folder to a run elsewhere, a run's report.html linked to another file, and a run id no file name
can hold. The app serves the reports folder and nothing else, and never answers with a 500."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from assurance_harness.ui.app import Settings

from .reviewkit import Project, make_project
from .serve import serving

SECRET = "TOPSECRET-not-in-reports"


def _request(base: str, path: str) -> tuple[int, str]:
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, str, Path, str]]:
    """A served project with one run, a copy of that run outside the reports folder (its
    report.html a secret), a symlink to the copy in the reports folder, and a link from the
    served run's own report.html to a secret file outside."""
    root = tmp_path_factory.mktemp("ui-paths")
    project = make_project(root / "project")
    run_id = project.run().run_id
    outside = root / "outside"
    shutil.copytree(project.reports / run_id, outside / "elsewhere")
    (outside / "elsewhere" / "report.html").write_text(SECRET, encoding="utf-8")
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    os.symlink(outside / "elsewhere", project.reports / "linked")
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        yield project, run_id, outside, base


def _spellings(project: Project, outside: Path) -> list[str]:
    """The outside run's folder as a run id, each spelling percent-encoded whole."""
    relative = os.path.relpath(outside / "elsewhere", project.reports)
    assert relative.startswith("..")
    return [
        urllib.parse.quote(str(outside / "elsewhere"), safe=""),  # absolute
        urllib.parse.quote(relative, safe=""),  # ../../outside/elsewhere
        relative.replace(".", "%2e").replace("/", "%2F"),  # every dot and slash encoded
        "linked",  # a symlink in the reports folder to the folder outside
    ]


def test_a_run_id_that_names_a_folder_outside_the_reports_folder_is_a_404(site) -> None:
    project, run_id, outside, base = site
    assert _request(base, f"/runs/{run_id}")[0] == 200
    for spelled in _spellings(project, outside):
        pages = [f"/runs/{spelled}", f"/runs/{spelled}/report.html"]
        pages.append(f"/compare?a={spelled}&b={run_id}")
        for page in pages:
            status, text = _request(base, page)
            # Was: a 200, the run folder outside served as if it were in the reports folder,
            # and its report.html sent as is.
            assert status == 404, (page, status, text[:300])
            assert SECRET not in text, page


def test_a_report_html_linked_to_a_file_outside_the_reports_folder_is_not_sent(site) -> None:
    project, run_id, outside, base = site
    report = project.reports / run_id / "report.html"
    saved = report.read_bytes()
    report.unlink()
    os.symlink(outside / "secret.txt", report)
    try:
        status, text = _request(base, f"/runs/{run_id}/report.html")
    finally:
        report.unlink()
        report.write_bytes(saved)
    assert SECRET not in text  # was: the file the link names, sent whole
    assert status == 404 and "report.html" in text, (status, text[:300])


@pytest.mark.parametrize("name", ["a" * 300, "é" * 200, "a%00b"])
def test_a_run_id_no_file_name_can_hold_is_a_404_not_a_500(site, name: str) -> None:
    _, run_id, _, base = site
    quoted = name if "%" in name else urllib.parse.quote(name)
    for page in [
        f"/runs/{quoted}",
        f"/runs/{quoted}/report.html",
        f"/compare?a={quoted}&b={run_id}",
    ]:
        status, text = _request(base, page)
        assert status == 404, (page, status, text[:300])  # was: a 500 (file name too long)
    status, text = _request(base, f"/review?run={quoted}")
    assert status == 200, (status, text[:300])  # the queue, empty for a run it does not hold


@pytest.mark.parametrize("name", ["a" * 300, "é" * 200, "a%00b", "a/" + "b" * 300])
def test_a_static_file_name_no_file_name_can_hold_is_a_404_not_a_500(site, name: str) -> None:
    _, _, _, base = site
    quoted = name if "%" in name else urllib.parse.quote(name)
    status, text = _request(base, f"/static/{quoted}")
    assert status == 404, (status, text[:300])  # was: a 500 (file name too long)
    assert _request(base, "/static/app.css")[0] == 200


def test_a_verdict_posted_for_a_run_id_no_file_name_can_hold_is_a_404_not_a_500(site) -> None:
    """The form's own token and cookie, as a page of the app would send: only the run id in the
    URL is overlong (a mistyped or crafted link followed by the reviewer)."""
    _, run_id, _, base = site
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        connection.request("GET", f"/review/{run_id}/{urllib.parse.quote('c2#0')}")
        response = connection.getresponse()
        html = response.read().decode("utf-8")
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        cookie = re.search(r"assurance_csrf=([^;]+)", response.getheader("Set-Cookie") or "")
        assert token and cookie, html[:300]
        connection.request(
            "POST",
            f"/review/{'a' * 300}/{urllib.parse.quote('c2#0')}",
            body=f"csrf_token={token.group(1)}&decision=agree&reviewer=alice".encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"assurance_csrf={cookie.group(1)}",
            },
        )
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()
    assert response.status == 404, (response.status, text[:300])  # was: a 500
