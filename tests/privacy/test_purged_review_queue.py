"""The review queue of a run a recorded retention purge emptied: ``runs purge`` deletes the
prompts and responses the queue keeps, and the rows stay queued (their verdicts count). The
queue showed them with a blank response, as if the model had answered nothing; it now says the
text was purged (when, under the retention policy), in the terminal and in the web app. A run
whose results.jsonl is lost keeps its queued texts, shown as they are."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assurance_harness.ui.app import Settings
from tests.privacy.purgedkit import PurgedAndLost, purged_and_lost
from tests.review.serve import get_page, serving
from tests.testing.cli import run_cli


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> PurgedAndLost:
    return purged_and_lost(tmp_path_factory.mktemp("queue-retention"))


def _queue(runs: PurgedAndLost, run_id: str) -> list[str]:
    """The table rows ``review queue --run RUN`` prints (one per queued row)."""
    done = run_cli(
        "review", "queue", "--run", run_id, "--reports", runs.reports, env={"COLUMNS": "400"}
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if run_id in line]
    assert rows, done.stdout
    return rows


def test_the_queue_says_a_purged_runs_texts_were_purged(runs: PurgedAndLost) -> None:
    for row in _queue(runs, runs.purged):
        assert f"purged {runs.when}" in row, row
    for row in _queue(runs, runs.lost):
        assert "purged" not in row, row


@pytest.fixture(scope="module")
def site(runs: PurgedAndLost) -> Iterator[str]:
    project = runs.project
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        yield base


def test_the_web_queue_says_a_purged_runs_texts_were_purged(runs, site) -> None:
    page = get_page(f"{site}/review?run={runs.purged}&show=all")
    assert f"purged {runs.when} under the retention policy" in page, page
    page = get_page(f"{site}/review?run={runs.lost}&show=all")
    assert "purged" not in page, page
