"""A review row in runs.db damaged by a hand edit or another tool (SQLite keeps any value in
any column): one line naming runs.db, the table, the row and the column (exit 2), never an
internal error, and never a label read from a value no writer stores."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

from .reviewkit import Project, make_project


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, str]:
    project = make_project(tmp_path_factory.mktemp("damaged-review"))
    run_id = project.run(reports=False).run_id
    given = run_cli(
        "review", "adjudicate", run_id, "c2#0", "--label", "false", "--reviewer", "erin",
        "--reports", project.reports, "--register", project.register,
    )  # fmt: skip
    assert given.returncode == 0, given.stderr
    return project, run_id


@pytest.fixture
def damaged(reviewed: tuple[Project, str], tmp_path: Path) -> tuple[Path, str]:
    project, run_id = reviewed
    reports = tmp_path / "reports"
    shutil.copytree(project.reports, reports)
    return reports, run_id


def _damage(reports: Path, *statements: str) -> None:
    conn = sqlite3.connect(reports / "runs.db")
    with conn:
        conn.execute("DROP TRIGGER review_verdicts_no_update")  # a tool that ignores them
        for sql in statements:
            conn.execute(sql)
    conn.close()


QUEUE = "UPDATE review_queue SET {} WHERE row_key = 'c2#0'"
VERDICTS = "UPDATE review_verdicts SET {} WHERE row_key = 'c2#0'"


@pytest.mark.parametrize(
    ("sql", "where", "command"),
    [
        (QUEUE.format("reasons = '[\"flag\"'"), "reasons", "queue"),
        (QUEUE.format("scores = 'not json'"), "scores", "queue"),
        (VERDICTS.format("ledger_ids = '{'"), "ledger_ids", "queue"),
        (VERDICTS.format("ledger_ids = '{'"), "ledger_ids", "history"),
        (VERDICTS.format("ledger_ids = '{'"), "ledger_ids", "agreement"),
    ],
)
def test_a_json_column_that_does_not_parse_names_the_row(
    damaged: tuple[Path, str], sql: str, where: str, command: str
) -> None:
    reports, _ = damaged
    _damage(reports, sql)
    proc = run_cli("review", command, "--reports", reports)
    text = proc.stdout + proc.stderr
    assert "internal error" not in text, text
    assert proc.returncode == 2, text
    assert f"{reports / 'runs.db'}:" in text and f"c2#0: {where}:" in text, text


def test_a_label_no_writer_stores_is_not_read_as_true(damaged: tuple[Path, str]) -> None:
    reports, _ = damaged
    _damage(reports, VERDICTS.format("label = 'no'"))
    proc = run_cli("review", "agreement", "--reports", reports)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "c2#0: label:" in text, text


@pytest.mark.parametrize(
    ("sql", "where"),
    [
        (QUEUE.format("required = 'no'"), "required"),
        (QUEUE.format("response = X'C3'"), "response"),
        (QUEUE.format("reasons = '{\"flag\": 1}'"), "reasons"),
        (QUEUE.format("scores = '[1, 2]'"), "scores"),
    ],
)
def test_a_queue_value_no_writer_stores_is_not_shown_as_the_row(
    damaged: tuple[Path, str], sql: str, where: str
) -> None:
    """Found by the hardening audit: these parsed, so the queue listed ``required = 'no'`` as
    a required review (``bool('no')``), a response stored as bytes as the text ``b'\\xc3'``,
    and took a verdict on the row, where a damaged label or JSON column is refused."""
    reports, _ = damaged
    _damage(reports, sql)
    proc = run_cli("review", "queue", "--reports", reports)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert f"{reports / 'runs.db'}:" in text and f"c2#0: {where}:" in text, text


@pytest.mark.parametrize("name", ["", "   "])
def test_a_blank_reviewer_name_is_not_registered(tmp_path: Path, name: str) -> None:
    """adjudicate refuses a blank reviewer; add-reviewer registered one ('reviewer  registered')."""
    proc = run_cli("review", "add-reviewer", name, "--reports", tmp_path / "reports")
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "reviewer name" in text, text


def test_a_reviewer_registered_with_spaces_around_the_name_still_needs_the_token(
    damaged: tuple[Path, str],
) -> None:
    """Verdicts are given under the stripped name, but add-reviewer kept ' carol ': the token
    guarded a name nobody uses, and 'carol' gave verdicts without it."""
    reports, run_id = damaged
    added = run_cli(
        "review", "add-reviewer", " carol ", "--token-env", "CAROL_TOKEN",
        "--reports", reports, env={"CAROL_TOKEN": "s3cret"},
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    proc = run_cli(
        "review", "adjudicate", run_id, "c1#0", "--agree", "--reviewer", "carol",
        "--reports", reports, "--ledger", reports / "evidence" / "ledger.jsonl",
    )  # fmt: skip
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "registered with a token" in text, text
