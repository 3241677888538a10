"""A run purged under the retention policy (``runs purge``) while flagged rows were still
unreviewed. The register's privacy line counts the purge (it said "0 run(s) purged": the
count was filled only when every run file was hashed again, which ``register status`` does
not do), and the risk does not read "awaiting review" asking for verdicts that ``review
adjudicate`` refuses on a purged run."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass

import pytest

from tests.privacy.purgedkit import age_run
from tests.review.reviewkit import Project, make_project
from tests.review.serve import get_page, serving
from tests.testing.cli import invoke_in_process


@dataclass
class Purged:
    project: Project
    run_id: str


@pytest.fixture(scope="module")
def purged(tmp_path_factory: pytest.TempPathFactory) -> Purged:
    """One run of reviewkit's suite, its flagged rows never reviewed, aged two days and
    purged with ``runs purge --older-than 1d``."""
    project = make_project(tmp_path_factory.mktemp("purged-unreviewed"))
    run_id = project.run().run_id
    two_days = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    age_run(project.reports / run_id, two_days.isoformat(timespec="seconds"))
    done = invoke_in_process(
        ["runs", "purge", "--older-than", "1d", "--reports", str(project.reports)]
    )
    assert done.exit_code == 0, done.output
    assert not (project.reports / run_id / "results.jsonl").exists()
    return Purged(project, run_id)


def _register(project: Project, *args: str) -> str:
    done = invoke_in_process(
        ["register", *args, "--register", str(project.register),
         "--reports", str(project.reports)]
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    return done.output


def test_register_status_counts_the_purged_run(purged: Purged) -> None:
    out = " ".join(_register(purged.project, "status").split())
    assert "; 1 run(s) purged." in out, out  # was: 0 run(s) purged


def _flat(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(text)).split())


def _says_purged_before_review(text: str, run_id: str) -> None:
    assert "await a human verdict" not in text, text
    assert f"3 flagged row(s) of run {run_id} were purged" in text, text
    assert "before anyone reviewed them" in text and "run the suite again" in text, text


def test_a_run_purged_before_review_reads_untested_not_awaiting_review(purged: Purged) -> None:
    project = purged.project
    done = invoke_in_process(
        ["register", "status", "--register", str(project.register),
         "--reports", str(project.reports), "--format", "json"]
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    (risk,) = json.loads(done.output[done.output.index("{") :])["risks"]
    assert risk["status"] == "untested", risk  # was: awaiting review, verdicts now refused
    _says_purged_before_review(" ".join(risk["reasons"]), purged.run_id)
    _says_purged_before_review(_flat(_register(project, "show", "R-001")), purged.run_id)
    out = project.root / "register.md"
    _register(project, "export", "--format", "md", "--out", str(out))
    _says_purged_before_review(_flat(out.read_text(encoding="utf-8")), purged.run_id)


def test_the_web_pages_say_the_rows_were_purged_before_review(purged: Purged) -> None:
    from assurance_harness.ui.app import Settings

    project = purged.project
    with serving(Settings(project.reports, project.register, project.ledger)) as base:
        for page in ("/register", "/register/R-001"):
            _says_purged_before_review(_flat(get_page(base + page)), purged.run_id)


def test_the_risk_page_column_with_reviews_reads_untested_not_awaiting_review(
    purged: Purged,
) -> None:
    """Was: the risk page's evidence table said ``awaiting_review`` (0.4) under "verdict with
    reviews" for the purged run, a review nobody can give, under a status that read untested."""
    from assurance_harness.ui.app import Settings
    from tests.review.test_ui_risk_page_reviewed_figures import _cells

    project = purged.project
    with serving(Settings(project.reports, project.register, project.ledger)) as base:
        page = get_page(base + "/register/R-001")
    assert 'id="risk-status">untested<' in page, page[:1500]
    row = dict(zip(*_cells(page), strict=True))
    assert row["verdict (recorded)"] == "awaiting_review", row
    assert row["verdict with reviews"] == "untested", row
    assert row["value with reviews"] == "–", row  # no figure: its flagged rows went unreviewed
