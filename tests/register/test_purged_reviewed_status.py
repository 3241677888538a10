"""A reviewed run purged under the retention policy (``runs purge``) keeps the standing its
reviews gave it. Its verdicts stay valid evidence in the ledger; its rows, the only thing its
gates could be measured again from with the reviews in, are gone. Was: a gate on the human
labels that failed with every flagged row reviewed read "failing" before the purge and
"verified" after it (measured again over no rows, it gave no verdict, taken as no failure). The
purge now records the gates that awaited review as measured with the ledger's labels, before it
deletes the rows; the register's views read that record. A purge recorded without it (before
this) reads untested, saying why, never verified nor awaiting review."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from assurance_harness.register.ledger import append_records
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from tests.privacy.purgedkit import age_run
from tests.review.reviewkit import SUITE, Project, make_project
from tests.review.serve import get_page, serving
from tests.testing.cli import invoke_in_process

HUMAN_GATE = SUITE.replace(
    "  - {metric: bad_rate, max: 0.99, require_reviewed: true}",
    "  - {metric: human_bad_rate, max: 0.5, require_reviewed: true}",
)
"""human_bad_rate is 0.4 on the scorer's labels (passes max 0.5) and 0.6 once c1, which the
scorer passed, is labelled bad by the reviewer: failing only with the reviews in."""


@dataclass
class Purged:
    project: Project
    run_id: str
    before: dict[str, object]
    """``register status --format json``'s R-001 before the purge."""


def _status(project: Project) -> dict[str, object]:
    done = invoke_in_process(
        ["register", "status", "--register", str(project.register),
         "--reports", str(project.reports), "--format", "json"]
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    (risk,) = json.loads(done.output[done.output.index("{") :])["risks"]
    return {"status": risk["status"], "reasons": risk["reasons"]}


def _reviewed_then_purged(root: Path, *, recorded: bool = True) -> Purged:
    """One run of HUMAN_GATE, its three flagged rows labelled bad by alice, then purged (two
    days old, ``--older-than 1d``: fresh enough not to be stale). ``recorded``: purged by
    ``runs purge``; else as a purge made before it recorded the gates (``purge_runs`` with
    no measure of them)."""
    project = make_project(root, suite_text=HUMAN_GATE)
    run_id = project.run().run_id
    paths = ReviewPaths.default(project.reports, register=project.register)
    for key in ("c1#0", "c2#0", "c3#0"):
        adjudicate(paths, run_id=run_id, key=key, reviewer="alice", token=None, agree=False,
                   label=True)  # fmt: skip
    two_days = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    age_run(project.reports / run_id, two_days.isoformat(timespec="seconds"))
    before = _status(project)
    if recorded:
        done = invoke_in_process(
            ["runs", "purge", "--older-than", "1d", "--reports", str(project.reports)]
        )
        assert done.exit_code == 0, done.output
    else:
        from assurance_harness.privacy.retention import purge_runs

        purge_runs(
            project.reports,
            project.ledger,
            dt.timedelta(days=1),
            record=lambda bodies: append_records(project.ledger, bodies),
        )
    assert not (project.reports / run_id / "results.jsonl").exists()
    return Purged(project, run_id, before)


@pytest.fixture(scope="module")
def purged(tmp_path_factory: pytest.TempPathFactory) -> Purged:
    return _reviewed_then_purged(tmp_path_factory.mktemp("purged-reviewed"))


@pytest.fixture(scope="module")
def purged_unrecorded(tmp_path_factory: pytest.TempPathFactory) -> Purged:
    return _reviewed_then_purged(tmp_path_factory.mktemp("purged-old"), recorded=False)


def test_a_failing_reviewed_gate_stays_failing_after_the_purge(purged: Purged) -> None:
    assert purged.before["status"] == "failing", purged.before
    after = _status(purged.project)
    assert after == purged.before, (purged.before, after)  # was: verified
    assert any("human_bad_rate <= 0.5 (0.6)" in r for r in after["reasons"]), after


def test_the_register_pages_and_the_export_agree_with_status(purged: Purged) -> None:
    project = purged.project
    out = project.root / "register.md"
    done = invoke_in_process(
        ["register", "export", "--register", str(project.register),
         "--reports", str(project.reports), "--format", "md", "--out", str(out)]
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "FAILING" in out.read_text(encoding="utf-8")
    from assurance_harness.ui.app import Settings

    with serving(Settings(project.reports, project.register, project.ledger)) as base:
        for page in ("/register", "/register/R-001"):
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", get_page(base + page)))
            assert "failing" in text and "verified" not in text, (page, text[:800])
            assert "awaiting review" not in text, (page, text[:800])


def test_a_purge_recorded_without_the_reviewed_gates_reads_untested_saying_why(
    purged_unrecorded: Purged,
) -> None:
    after = _status(purged_unrecorded.project)
    assert after["status"] == "untested", after  # was: verified; never awaiting review
    (reason,) = [r for r in after["reasons"] if purged_unrecorded.run_id in str(r)]
    assert "reviewed" in reason and "purged" in reason and "run the suite again" in reason
