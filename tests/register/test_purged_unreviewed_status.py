"""A run purged under the retention policy (``runs purge``) while flagged rows were still
unreviewed. The register's privacy line counts the purge (it said "0 run(s) purged": the
count was filled only when every run file was hashed again, which ``register status`` does
not do), and the risk does not read "awaiting review" asking for verdicts that ``review
adjudicate`` refuses on a purged run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.privacy.purgedkit import age_run
from tests.review.reviewkit import Project, make_project
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
