"""The web app's run page for a run whose rows cannot be checked, or whose folder holds another
run's files: what ``compare``, ``baseline`` and ``report`` refuse (``RunLog.results_missing``,
``results_unverified``, ``misnamed``). The page showed such a run as if nothing were wrong: a
run with no results.jsonl as "0 of 0 rows" under its recorded figures, a run folder named for
one run and holding another's as the other run's page under the first one's name."""

from __future__ import annotations

import html
import http.client
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from assurance_harness.ui.app import Settings

from .reviewkit import GROUPS_SUITE, Project, make_project
from .serve import serving


def _get(base: str, path: str) -> tuple[int, str]:
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


def _swap(reports: Path, a: str, b: str) -> None:
    """Run folders ``a`` and ``b`` swapped: each named for the other's run."""
    (reports / a).rename(reports / "swapping")
    (reports / b).rename(reports / a)
    (reports / "swapping").rename(reports / b)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, list[str], str]]:
    """Six runs of one suite: 0 intact; 1 without results.jsonl; 2 with its last row cut
    off (a line boundary: no line skipped); 3 without manifest.json; 4 and 5 swapped. Only 4
    and 5 write their report.html (one is asked for): no page here reads the others'."""
    project = make_project(tmp_path_factory.mktemp("ui-unverified"), suite_text=GROUPS_SUITE)
    ids = [project.run(reports=i >= 4).run_id for i in range(6)]
    reports = project.reports
    (reports / ids[1] / "results.jsonl").unlink()
    results = reports / ids[2] / "results.jsonl"
    lines = results.read_bytes().splitlines(keepends=True)
    results.write_bytes(b"".join(lines[:-1]))
    (reports / ids[3] / "manifest.json").unlink()
    _swap(reports, ids[4], ids[5])
    settings = Settings(reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        yield project, ids, base


def test_an_intact_run_page_carries_no_notice(site) -> None:
    _, ids, base = site
    status, page = _get(base, f"/runs/{ids[0]}")
    assert status == 200, page[:300]
    assert 'id="results-unverified"' not in page and 'id="misnamed"' not in page
    assert "5 of 5 rows" in page


def test_a_run_without_results_jsonl_says_its_figures_cannot_be_checked(site) -> None:
    _, ids, base = site
    status, page = _get(base, f"/runs/{ids[1]}")
    assert status == 200, page[:300]
    assert 'id="results-unverified"' in page
    assert "results.jsonl: missing" in page
    assert "cannot be checked against" in page
    assert "0 of 0 rows" not in page  # not a run that had no rows
    assert "No rows can be read" in page


def test_a_run_whose_results_were_cut_short_says_its_rows_are_not_the_runs(site) -> None:
    _, ids, base = site
    status, page = _get(base, f"/runs/{ids[2]}")
    assert status == 200, page[:300]
    assert 'id="results-unverified"' in page
    assert "does not match the SHA-256 in its manifest.json" in page


def test_a_run_without_its_manifest_says_nothing_can_be_checked(site) -> None:
    _, ids, base = site
    status, page = _get(base, f"/runs/{ids[3]}")
    assert status == 200, page[:300]
    assert 'id="results-unverified"' in page
    assert "manifest.json: not found" in page


@pytest.mark.parametrize(("named", "held"), [(4, 5), (5, 4)])
def test_a_folder_holding_another_runs_files_shows_none_of_them_under_its_name(
    site, named: int, held: int
) -> None:
    _, ids, base = site
    status, page = _get(base, f"/runs/{ids[named]}")
    assert status == 503, page[:300]
    assert 'id="misnamed"' in page
    assert f"its files are run '{ids[held]}'s" in html.unescape(page)
    assert f"<h1>Run {ids[named]}</h1>" in page  # the run asked for, not the files' run
    assert f"Run {ids[held]}" not in page
    for shown in ('id="gates"', 'id="metrics"', 'id="rows"', "c1#0"):
        assert shown not in page, shown


def test_a_folder_holding_two_runs_files_shows_neither(tmp_path: Path) -> None:
    project = make_project(tmp_path, suite_text=GROUPS_SUITE)
    first, second = project.run(reports=False).run_id, project.run(reports=False).run_id
    manifest = project.reports / second / "manifest.json"
    manifest.write_bytes((project.reports / first / "manifest.json").read_bytes())
    assert json.loads(manifest.read_text(encoding="utf-8"))["run_id"] == first
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        status, page = _get(base, f"/runs/{second}")
    assert status == 503, page[:300]
    assert 'id="misnamed"' in page and "files of two runs" in page
    assert 'id="rows"' not in page and 'id="gates"' not in page


def test_a_reviewed_run_without_results_jsonl_says_so(tmp_path: Path) -> None:
    """A run with a review policy: its figures with the reviews are measured from rows that
    are not there; the page said "no data" under them and nothing more."""
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    (project.reports / run_id / "results.jsonl").unlink()
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        status, page = _get(base, f"/runs/{run_id}")
    assert status == 200, page[:300]
    assert 'id="results-unverified"' in page and "results.jsonl: missing" in page


def test_a_folder_holding_another_runs_files_serves_not_its_report(site) -> None:
    """report.html in a swapped folder is the other run's report, under this run's name."""
    _, ids, base = site
    status, page = _get(base, f"/runs/{ids[4]}/report.html")
    assert status == 503, page[:300]
    assert f"its files are run '{ids[5]}'s" in page
    assert "<html" not in page


@pytest.mark.parametrize("name", ["a" * 300, "sub\x00x"])
def test_a_manifest_naming_results_no_file_name_can_hold_is_named_not_a_500(
    tmp_path: Path, name: str
) -> None:
    """Was: a 500 (OSError, file name too long) on the run, compare, trend and register pages,
    or a NUL-holding path reported as a missing results.jsonl."""
    project = make_project(tmp_path, suite_text=GROUPS_SUITE)
    first, run_id = project.run(reports=False).run_id, project.run(reports=False).run_id
    manifest = project.reports / run_id / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["results"]["path"] = name
    manifest.write_text(json.dumps(data), encoding="utf-8")
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    pages = [f"/runs/{run_id}", f"/compare?a={first}&b={run_id}", "/trend", "/register"]
    pages += ["/trend?suite=review-demo&metric=bad_rate", "/register/R-001"]
    with serving(settings) as base:
        for page in pages:
            status, text = _get(base, page)
            assert status != 500 and "Server got itself in trouble" not in text, (page, text)
        status, text = _get(base, f"/runs/{run_id}")
    assert status == 503 and "manifest.json: results: path" in text, text[:300]


def test_a_risk_page_says_a_runs_results_are_missing_or_changed(tmp_path: Path) -> None:
    """The risk page listed a failing gate with no responses behind it, saying nothing, when
    the run's results.jsonl was gone; and showed rows of a changed file as the responses the
    gate failed on."""
    project = make_project(tmp_path, suite_text=GROUPS_SUITE)
    gone, changed = project.run(reports=False).run_id, project.run(reports=False).run_id
    (project.reports / gone / "results.jsonl").unlink()
    results = project.reports / changed / "results.jsonl"
    results.write_bytes(results.read_bytes().replace(b"hate", b"HATE"))
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        status, page = _get(base, "/register/R-001")
    assert status == 200, page[:300]
    sections = {s.split("</a>")[0].rsplit(">", 1)[-1]: s for s in page.split("<h2>")[1:]}
    assert "results.jsonl is missing" in sections[gone], sections[gone]
    assert "changed since the evidence was recorded" in sections[changed]
    assert "not those the gates were measured on" in sections[changed], sections[changed]
