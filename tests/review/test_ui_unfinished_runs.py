"""A run killed before it wrote summary.json is on the web app's runs page and in the static
``reports/index.html`` as ``interrupted``, with the command that resumes it, as ``runs list``
shows it: both read only the run index, which holds finished runs, so a reviewer browsing the
runs saw a list that looked complete. A run another process holds is ``running``, with no
resume command; and the command is text on the page, escaped, whatever its paths hold."""

from __future__ import annotations

import html
import shlex
import urllib.parse
from pathlib import Path

import pytest

from assurance_harness.store.runlock import hold_run_folder
from assurance_harness.ui.app import Settings
from tests.store.test_unfinished_runs_listed_cli import _killed_run, _project
from tests.testing.cli import run_cli

from .serve import get_page, serving


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory):
    """A finished run and a killed one, in a folder whose name HTML would take for markup."""
    root = tmp_path_factory.mktemp("web") / "w&<b>'s"
    root.mkdir()
    _project(root, "web-killed")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = _killed_run(root)
    reports = root / "reports"
    resume = (
        f"assurance run s.yaml --target t.yaml --reports {shlex.quote(str(reports))} "
        f"--concurrency 1 --cache --no-report --resume {folder.name}"
    )
    return reports, folder, resume


def _settings(reports: Path) -> Settings:
    return Settings(reports, reports / "register.yaml", reports / "ledger.jsonl", reviewer="a")


def test_the_runs_page_lists_a_killed_run_as_interrupted_with_its_resume_command(
    killed,
) -> None:
    reports, folder, resume = killed
    with serving(_settings(reports)) as base:
        page = get_page(base + "/")
        only = get_page(base + "/?status=interrupted")
        held = None
        with hold_run_folder(folder):  # as the run's own process, or a --resume, holds it
            held = get_page(base + "/")
    assert folder.name in page and "interrupted" in page, page
    assert resume in html.unescape(page), page
    assert "<b>" not in page and "w&amp;&lt;b&gt;" in page, page  # escaped, not markup
    assert folder.name in only and "badge passed" not in only, only
    assert folder.name in held and "running" in held, held
    assert "--resume" not in held and "interrupted" not in held.split('id="runs"')[1], held
    assert page.count(f'href="/runs/{urllib.parse.quote(folder.name)}"') == 0, page  # no report


def test_the_static_index_lists_a_killed_run_as_interrupted_with_its_resume_command(
    killed,
) -> None:
    reports, folder, resume = killed
    done = run_cli("ui", "--reports", str(reports), "--index")
    assert done.returncode == 0, done.stdout + done.stderr
    page = (reports / "index.html").read_text(encoding="utf-8")
    assert folder.name in page and "interrupted" in page, page
    assert resume in html.unescape(page), page
    assert "<b>" not in page, page
