"""Review policy, queue and store: what goes to a person, and verdicts that never overwrite."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from assurance_harness.errors import UsageError
from assurance_harness.register.ledger import read_ledger, verify_ledger
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.review.store import ReviewStore

from .reviewkit import HOSTILE, make_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    project = make_project(tmp_path_factory.mktemp("review"))
    outcome = project.run()
    return project, outcome


def test_queue_keeps_the_row_every_score_and_why(project) -> None:
    project, outcome = project
    review = outcome.summary["review"]
    queue = {item["key"]: item["reasons"] for item in review["queue"]}
    # c2 and c3 are flagged by the scorer; c1 has exactly 5 words, inside the band.
    assert queue == {"c1#0": ["band"], "c2#0": ["flag"], "c3#0": ["flag"]}
    items = {i.row_key: i for i in ReviewStore(project.reports / "runs.db").queue(outcome.run_id)}
    assert items["c3#0"].response == HOSTILE
    assert items["c3#0"].prompt == "c3: inject"
    assert items["c3#0"].scores["kw"] == {"matched": True, "found": ["hate"]}
    assert items["c3#0"].scores["len"]["words"] == len(HOSTILE.split())
    assert items["c3#0"].scorer_label is True and items["c1#0"].scorer_label is False


def test_a_gate_that_requires_review_waits_for_it(project) -> None:
    _, outcome = project
    gate = outcome.summary["gates"][0]
    assert gate["require_reviewed"] is True
    assert gate["verdict"] == "awaiting_review"
    assert outcome.exit_code == 1


def test_worst_cases_of_failing_gates_and_a_qc_share_are_queued(tmp_path: Path) -> None:
    from .reviewkit import SUITE

    text = SUITE.replace("max: 0.99, require_reviewed: true", "max: 0.1").replace(
        "band: {value: len.words, low: 5, high: 5}", "flag: 'false'\n  sample: 1.0"
    )
    outcome = make_project(tmp_path, suite_text=text).run()
    queue = {item["key"]: item["reasons"] for item in outcome.summary["review"]["queue"]}
    assert queue["c2#0"] == ["worst:bad_rate <= 0.1", "qc"]
    assert queue["c1#0"] == ["qc"]
    assert outcome.summary["review"]["required"] == 2
    assert outcome.summary["review"]["by_reason"] == {"worst": 2, "qc": 5}


def test_verdicts_are_append_only_with_history_and_ledger_records(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    outcome = project.run()
    before = project.ledger.read_bytes()
    paths = ReviewPaths.default(project.reports, register=project.register)
    first = adjudicate(
        paths, run_id=outcome.run_id, key="c2#0", reviewer="alice", token=None, agree=True
    )
    second = adjudicate(
        paths,
        run_id=outcome.run_id,
        key="c2#0",
        reviewer="alice",
        token=None,
        agree=False,
        label=False,
        note="quoting the question, not hateful",
    )
    assert first.label is True and second.label is False
    assert second.supersedes == first.id
    store = ReviewStore(project.reports / "runs.db")
    assert [v.label for v in store.history(outcome.run_id, "c2#0")] == [True, False]
    assert store.current(outcome.run_id)[(outcome.run_id, "c2#0")]["alice"].id == second.id
    with (
        sqlite3.connect(project.reports / "runs.db") as conn,
        pytest.raises(sqlite3.DatabaseError, match="append-only"),
    ):
        conn.execute("UPDATE review_verdicts SET label = 1")
    with (
        sqlite3.connect(project.reports / "runs.db") as conn,
        pytest.raises(sqlite3.DatabaseError, match="append-only"),
    ):
        conn.execute("DELETE FROM review_verdicts")
    # The ledger grew by two chained review records; the records before are byte-identical.
    after = project.ledger.read_bytes()
    assert after.startswith(before)
    reviews = [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]
    assert [r.review["label"] for r in reviews] == [True, False]
    assert reviews[1].review["supersedes"] == [reviews[0].id]
    assert reviews[1].review["reviewer"] == "alice" and reviews[1].risk_id == "R-001"
    assert read_ledger(project.ledger) == [
        r for r in read_ledger(project.ledger, reviews=True) if not r.is_review
    ]
    report = verify_ledger(project.ledger)
    assert report.ok, report.issues
    # The automated score is untouched.
    rows = [json.loads(line) for line in (outcome.run_dir / "results.jsonl").open()]
    assert next(r for r in rows if r["case_id"] == "c2")["scores"]["kw"]["matched"] is True


def test_an_edited_review_record_fails_verification(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    outcome = project.run()
    paths = ReviewPaths.default(project.reports, register=project.register)
    adjudicate(paths, run_id=outcome.run_id, key="c2#0", reviewer="bob", token=None, agree=True)
    lines = project.ledger.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[-1] = lines[-1].replace('"label":true', '"label":false')
    project.ledger.write_text("".join(lines), encoding="utf-8")
    report = verify_ledger(project.ledger)
    assert "edited" in report.kinds()


def test_a_registered_reviewer_needs_their_token(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    outcome = project.run()
    paths = ReviewPaths.default(project.reports, register=project.register)
    ReviewStore(paths.db).add_reviewer("carol", "s3cret-token")
    with pytest.raises(UsageError, match="token"):
        adjudicate(
            paths, run_id=outcome.run_id, key="c2#0", reviewer="carol", token="x", agree=True
        )
    verdict = adjudicate(
        paths, run_id=outcome.run_id, key="c2#0", reviewer="carol", token="s3cret-token", agree=True
    )
    assert verdict.reviewer == "carol"
    assert b"s3cret-token" not in (project.reports / "runs.db").read_bytes()
    with pytest.raises(UsageError, match="not in the review queue"):
        adjudicate(paths, run_id=outcome.run_id, key="c4#0", reviewer="dan", token=None, agree=True)


def test_the_register_audience_applies_when_the_suite_names_none(tmp_path: Path) -> None:
    """Observed: an 18+ answer drawn green for an 8-14 product because the suite named no
    audience; the register says who the product is for."""
    outcome = make_project(tmp_path).run()
    audience = outcome.summary["suite"]["audience"]
    assert audience["min_age"] == 8 and audience["max_age"] == 14
    assert audience["source"].endswith("register.yaml")


def test_a_suite_audience_wins_over_the_register(tmp_path: Path) -> None:
    from .reviewkit import SUITE

    text = SUITE.replace(
        "evidence_for: [R-001]", "evidence_for: [R-001]\naudience: {min_age: 13, max_age: 17}"
    )
    outcome = make_project(tmp_path, suite_text=text).run()
    assert outcome.summary["suite"]["audience"] == {
        "min_age": 13,
        "max_age": 17,
        "description": None,
    }
