"""A run whose folder was deleted by hand (``rm -rf reports/<id>``) stays in the run index (its
row is not deleted for the user), but ``runs list`` and the web app say its folder is missing,
naming where it was, instead of listing it as if it were there and then answering "no finished
run" for a run that did finish."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse

import pytest

from assurance_harness.ui.app import Settings
from tests.testing.cli import run_cli

from .reviewkit import make_project
from .serve import get_page, serving


@pytest.fixture(scope="module")
def gone(tmp_path_factory: pytest.TempPathFactory):
    project = make_project(tmp_path_factory.mktemp("gone"))
    kept, deleted = project.run(reports=False), project.run(reports=False)
    shutil.rmtree(project.reports / deleted.run_id)
    return project, kept.run_id, deleted.run_id


def test_runs_list_marks_the_missing_folder(gone) -> None:
    project, kept, deleted = gone
    table = run_cli("runs", "list", "--reports", str(project.reports), "--limit", "5")
    assert table.returncode == 0, table.stderr
    lines = {line.split()[1]: line for line in table.stdout.splitlines() if " " in line.strip()}
    assert "folder missing" in next(v for k, v in lines.items() if deleted.startswith(k))
    assert "folder missing" not in next(v for k, v in lines.items() if kept.startswith(k))

    out = run_cli("runs", "list", "--reports", str(project.reports), "--format", "json")
    rows = {r["run_id"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert rows[deleted]["folder_missing"] is True
    assert rows[kept]["folder_missing"] is False


def test_the_run_page_says_the_folder_is_missing(gone) -> None:
    project, kept, deleted = gone
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        index = get_page(base + "/")
        assert "folder missing" in index
        with pytest.raises(urllib.error.HTTPError) as caught:
            get_page(f"{base}/runs/{urllib.parse.quote(deleted)}")
        body = caught.value.read().decode("utf-8")
        assert caught.value.code == 410, body
        assert "no finished run" not in body
        assert str(project.reports / deleted) in body and "no longer" in body
        assert kept in get_page(f"{base}/runs/{urllib.parse.quote(kept)}")


def test_the_review_queue_of_such_a_run_says_its_folder_is_missing(gone) -> None:
    """Its queue stays listed (the verdicts given are the user's), with the same note: a
    verdict cannot be given on a row whose run folder is gone."""
    project, kept, deleted = gone
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        page = get_page(f"{base}/review?run={urllib.parse.quote(deleted)}")
        assert str(project.reports / deleted) in page and "no longer" in page
        assert "no longer" not in get_page(f"{base}/review?run={urllib.parse.quote(kept)}")
