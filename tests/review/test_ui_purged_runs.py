"""The web app tells a run whose results.jsonl a recorded retention purge deleted from one whose
file is lost, from the ledger. The risk page said of both "missing (deleted, or purged under the
retention policy)" and the run page "missing (deleted since the run, or purged ...)": which of
the two, the page knew, and did not say. Served by the real app on 127.0.0.1."""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterator

import pytest

from assurance_harness.ui.app import Settings
from tests.privacy.purgedkit import PurgedAndLost, purged_and_lost

from .serve import get_page, serving


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PurgedAndLost, str]]:
    runs = purged_and_lost(tmp_path_factory.mktemp("ui-retention"))
    project = runs.project
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        yield runs, base


def _notices(page: str) -> list[str]:
    """The text of each ``<p class="fail ...">`` on the page."""
    found = re.findall(r'<p class="fail[^"]*"[^>]*>(.*?)</p>', page, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", text)) for text in found]


def _about(notices: list[str], run_id: str) -> str:
    (notice,) = [n for n in notices if f"{run_id}/results.jsonl" in n]
    return notice


def test_the_risk_page_says_purged_when_and_missing_for_a_lost_file(site) -> None:
    runs, base = site
    notices = _notices(get_page(f"{base}/register/R-001"))
    purged = _about(notices, runs.purged)
    assert "purged" in purged and runs.when in purged and "retention" in purged, purged
    assert "missing" not in purged and "deleted, or" not in purged, purged
    lost = _about(notices, runs.lost)
    assert "missing" in lost and "purged" not in lost, lost


def test_the_run_page_says_purged_when_and_missing_for_a_lost_file(site) -> None:
    runs, base = site
    purged = _about(_notices(get_page(f"{base}/runs/{runs.purged}")), runs.purged)
    assert "purged" in purged and runs.when in purged and "missing" not in purged, purged
    lost = _about(_notices(get_page(f"{base}/runs/{runs.lost}")), runs.lost)
    assert "missing" in lost and "purged" not in lost, lost


def test_a_queued_row_of_a_purged_run_says_purged_not_a_response_of_none(site) -> None:
    """Was: the row's review page showed the prompt and the response the purge deleted as the
    text "None", an answer a model could have given, where the queue page says purged."""
    runs, base = site
    page = get_page(f"{base}/review/{runs.purged}/{urllib.parse.quote('c2#0', safe='')}")
    texts = re.findall(r'<pre class="text" id="(?:prompt|response)">(.*?)</pre>', page, re.S)
    assert "None" not in texts, texts
    (note,) = re.findall(r'<p class="muted" id="purged">(.*?)</p>', page, re.S)
    assert "purged" in note and runs.when in note and "retention" in note, note
