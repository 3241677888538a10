"""A queued row on which the scorer gave no label (its ``review.label`` is null there: a
metadata key the case lacks, a field a scorer left out): "agree with the scorer" confirms
nothing. Was: ``--agree`` (or the page's "agree with the scorer (None)") recorded a verdict
with no label, in runs.db and the ledger, and the row counted as reviewed: a gate with
``require_reviewed`` stopped waiting for it while no person had said what it is."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import read_ledger
from assurance_harness.ui.app import Settings

from .reviewkit import make_project
from .serve import get_page, serving

SUITE = """
suite: review-null
version: 1.0.0
evidence_for: [R-001]
cases:
  - {id: c1, prompt: "c1: greet", metadata: {v: 1}}
  - {id: c2, prompt: "c2: rant", metadata: {v: 2}}
  - {id: c3, prompt: "c3: inject"}
scorers:
  - {id: kw, use: contains, with: {terms: [hate]}}
  - {id: len, use: length}
metrics:
  - {id: bad_rate, rate: "kw.matched"}
gates:
  - {metric: bad_rate, max: 0.99, require_reviewed: true}
review:
  label: "len.words > meta.v"
  flag: kw.matched
"""


def _reviews(ledger: Path) -> list[dict]:
    return [r.review for r in read_ledger(ledger, reviews=True) if r.is_review]


def test_agreeing_with_no_label_is_refused_and_the_row_still_waits(tmp_path: Path) -> None:
    project = make_project(tmp_path, suite_text=SUITE)
    run = project.run(reports=False)
    reports = ["--reports", str(project.reports)]
    runner = CliRunner()
    given = runner.invoke(
        app,
        ["review", "adjudicate", run.run_id, "c3#0", "--agree", "--reviewer", "alice", *reports],
    )
    assert given.exit_code == 2, given.output
    lines = given.output.strip().splitlines()
    assert len(lines) == 1 and "no label" in lines[0] and "--label" in lines[0], given.output
    assert _reviews(project.ledger) == []
    status = runner.invoke(app, ["review", "status", run.run_id, *reports])
    assert "2 flagged rows wait" in status.output, status.output

    label = ["--label", "true", "--reviewer", "alice", *reports]
    corrected = runner.invoke(app, ["review", "adjudicate", run.run_id, "c3#0", *label])
    assert corrected.exit_code == 0, corrected.output
    assert [r["label"] for r in _reviews(project.ledger)] == [True]


def test_the_page_offers_no_agreement_with_no_label_and_refuses_one_sent(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path, suite_text=SUITE)
    run = project.run(reports=False)
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        url = f"{base}/review/{run.run_id}/{urllib.parse.quote('c3#0', safe='')}"
        html = get_page(url)
        assert 'value="agree"' not in html, html
        labelled = get_page(f"{base}/review/{run.run_id}/{urllib.parse.quote('c2#0', safe='')}")
        assert 'value="agree"' in labelled  # a row with the scorer's label still offers it

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(url, timeout=30) as response:
            token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode())
        assert token
        form = {"csrf_token": token.group(1), "decision": "agree", "reviewer": "alice"}
        request = urllib.request.Request(url, urllib.parse.urlencode(form).encode())
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(request, timeout=30)
        assert refused.value.code == 400  # refused: never a 200 that reads like a success
        page = refused.value.read().decode()
        assert 'id="error"' in page and "no label" in page, page
    assert _reviews(project.ledger) == []


@pytest.fixture(autouse=True)
def _no_reviewer_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSURANCE_REVIEWER", raising=False)
    monkeypatch.delenv("ASSURANCE_REVIEW_TOKEN", raising=False)
