"""Each review verdict in ``runs.db`` is also a review record in the evidence ledger, "so
evidence verify covers it". A verdict rewritten in ``runs.db`` by hand (its trigger dropped) or
inserted there with no record behind it changed ``review status`` and ``review agreement`` while
``evidence verify`` said OK. Verify now cross-checks the verdicts with the ledger's review
records (exit 1, naming each), and the review views warn of and leave out a verdict the ledger
does not hold."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app

from .reviewkit import Project, make_project


def _cli(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def reviewed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, str]:
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    monkeypatch.setenv("ASSURANCE_REVIEWER", "alice")
    result = _cli("review", "adjudicate", run_id, "c2#0", "--agree", "--reports", project.reports)
    assert result.exit_code == 0, result.output
    return project, run_id


def _sql(project: Project, *statements: str) -> None:
    with sqlite3.connect(project.reports / "runs.db") as conn:
        for statement in statements:
            conn.execute(statement)


def test_a_clean_store_verifies(reviewed: tuple[Project, str]) -> None:
    project, _ = reviewed
    result = _cli("evidence", "verify", "--reports", project.reports)
    assert result.exit_code == 0, result.output


def test_a_verdict_rewritten_in_runs_db_fails_verify(reviewed: tuple[Project, str]) -> None:
    project, run_id = reviewed
    _sql(
        project,
        "DROP TRIGGER review_verdicts_no_update",
        "UPDATE review_verdicts SET decision='correct', label=1-scorer_label",
    )

    result = _cli("evidence", "verify", "--reports", project.reports)

    assert result.exit_code == 1, result.output
    assert "alice" in result.output and "c2#0" in result.output, result.output
    status = _cli("review", "status", run_id, "--reports", project.reports)
    assert "alice" in status.output and "ledger" in status.output, status.output


def test_a_verdict_inserted_in_runs_db_fails_verify_and_is_left_out(
    reviewed: tuple[Project, str],
) -> None:
    project, run_id = reviewed
    before = json.loads(_cli("review", "agreement", "--json", "--reports", project.reports).stdout)
    _sql(
        project,
        "INSERT INTO review_verdicts (run_id, row_key, reviewer, decision, label, scorer_label, "
        f"note, created_at, ledger_ids) VALUES ('{run_id}', 'c3#0', 'carol', 'agree', 1, 1, '', "
        "'2026-12-05T00:00:00+00:00', '[]')",
    )

    result = _cli("evidence", "verify", "--reports", project.reports)

    assert result.exit_code == 1, result.output
    assert "carol" in result.output and "c3#0" in result.output, result.output
    after = _cli("review", "agreement", "--json", "--reports", project.reports)
    assert json.loads(after.stdout)["by_scorer"] == before["by_scorer"], after.output
    assert "carol" in after.stderr, after.stderr


def test_the_web_app_leaves_out_and_names_a_verdict_inserted_in_runs_db(
    reviewed: tuple[Project, str],
) -> None:
    """The queue page's agreement and a row's history counted a verdict the ledger does not
    hold, as ``review status`` did, over real HTTP on 127.0.0.1."""
    from assurance_harness.ui.app import Settings

    from .serve import get_page, serving

    project, run_id = reviewed
    _sql(
        project,
        "INSERT INTO review_verdicts (run_id, row_key, reviewer, decision, label, scorer_label, "
        f"note, created_at, ledger_ids) VALUES ('{run_id}', 'c2#0', 'carol', 'correct', 0, 1, "
        "'', '2026-12-05T00:00:00+00:00', '[]')",
    )
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        queue = get_page(f"{base}/review?show=all")
        item = get_page(f"{base}/review/{run_id}/c2%230")
    for page in (queue, item):
        assert "not in the evidence ledger" in page, page
        assert "carol" in page


def test_review_queue_does_not_take_a_row_off_the_pending_list_for_an_inserted_verdict(
    reviewed: tuple[Project, str],
) -> None:
    """``review queue --pending`` read every verdict in runs.db: one inserted by hand took a
    flagged row off the list people work from, with nothing said."""
    project, run_id = reviewed
    before = json.loads(
        _cli("review", "queue", "--pending", "--json", "--reports", project.reports).stdout
    )
    assert "c3#0" in {item["row"] for item in before}, before
    _sql(
        project,
        "INSERT INTO review_verdicts (run_id, row_key, reviewer, decision, label, scorer_label, "
        f"note, created_at, ledger_ids) VALUES ('{run_id}', 'c3#0', 'carol', 'agree', 1, 1, '', "
        "'2026-12-05T00:00:00+00:00', '[]')",
    )

    result = _cli("review", "queue", "--pending", "--json", "--reports", project.reports)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == before
    assert "carol" in result.stderr and "ledger" in result.stderr, result.stderr
    table = _cli("review", "queue", "--reports", project.reports)
    assert "carol" not in table.stdout and "carol" in table.stderr, table.output


def test_verify_names_review_records_when_runs_db_holds_no_verdict_at_all(
    reviewed: tuple[Project, str],
) -> None:
    """One verdict deleted from runs.db was warned of, but with every verdict gone (the rows
    deleted, or runs.db moved aside as its own "cannot be read" error advises) the cross-check
    was skipped: verify said OK with nothing said while ``review status`` counted no verdict."""
    project, _ = reviewed
    _sql(project, "DROP TRIGGER review_verdicts_no_delete", "DELETE FROM review_verdicts")

    emptied = _cli("evidence", "verify", "--reports", project.reports)

    assert emptied.exit_code == 0, emptied.output
    assert "has no verdict in runs.db" in emptied.stderr and "alice" in emptied.stderr, (
        emptied.output
    )
    (project.reports / "runs.db").unlink()

    moved = _cli("evidence", "verify", "--reports", project.reports)

    assert moved.exit_code == 0, moved.output
    assert "has no verdict in runs.db" in moved.stderr and "c2#0" in moved.stderr, moved.output
    assert not (project.reports / "runs.db").exists()  # nothing made to find out
