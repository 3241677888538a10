"""A reviewer's name is bounded: ``REVIEWER_NAME_MAX`` characters (it is evidence, written into
every review record of the append-only ledger and shown on every page that lists verdicts).
Was: any length, a 100,000-character name taken on the command line and through the web form
alike, and kept for good. A longer one is one line (exit 2), or a 400 on the page, naming the
limit; nothing is recorded."""

from __future__ import annotations

import socket
import sqlite3
import urllib.parse
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import read_ledger
from assurance_harness.review.store import REVIEWER_NAME_MAX, token_hash
from assurance_harness.ui.app import Settings

from .reviewkit import Project, make_project
from .serve import serving
from .test_ui_hostile_http import _form_session, _post_form

LONG = "a" * (REVIEWER_NAME_MAX + 1)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, str]]:
    made = make_project(tmp_path_factory.mktemp("names"))
    yield made, made.run(reports=False).run_id


@pytest.fixture(autouse=True)
def _no_reviewer_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSURANCE_REVIEWER", raising=False)
    monkeypatch.delenv("ASSURANCE_REVIEW_TOKEN", raising=False)


def _reviewers(project: Project) -> set[str]:
    records = read_ledger(project.ledger, reviews=True)
    return {str(r.review["reviewer"]) for r in records if r.is_review}


def _limit_line(output: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), output[:500]
    assert f"at most {REVIEWER_NAME_MAX}" in lines[0] and LONG not in lines[0], lines[0][:500]


def test_a_reviewer_name_over_the_limit_is_one_line_exit_2_and_nothing_recorded(project) -> None:
    made, run_id = project
    reports = ["--reports", str(made.reports)]
    given = CliRunner().invoke(
        app, ["review", "adjudicate", run_id, "c2#0", "--agree", "--reviewer", LONG, *reports]
    )
    assert given.exit_code == 2, given.output[:500]
    _limit_line(given.output)
    added = CliRunner().invoke(app, ["review", "add-reviewer", LONG, *reports])
    assert added.exit_code == 2, added.output[:500]
    _limit_line(added.output)
    assert LONG not in _reviewers(made)


def test_a_name_of_the_limit_is_taken(project) -> None:
    made, run_id = project
    name = "b" * REVIEWER_NAME_MAX
    reports = ["--reports", str(made.reports)]
    given = CliRunner().invoke(
        app, ["review", "adjudicate", run_id, "c1#0", "--agree", "--reviewer", name, *reports]
    )
    assert given.exit_code == 0, given.output[:500]
    assert name in _reviewers(made)


def test_a_reviewer_name_over_the_limit_on_the_page_is_a_400_naming_it(project) -> None:
    made, run_id = project
    settings = Settings(made.reports, made.register, made.ledger, reviewer="alice")
    with serving(settings) as base:
        path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c2#0', safe='')}"
        token, cookie = _form_session(base, path)
        _, page = _post_form(base, path, f"csrf_token={token}", cookie)
        assert f'maxlength="{REVIEWER_NAME_MAX}"' in page  # the form says it before sending
        body = urllib.parse.urlencode({"csrf_token": token, "decision": "true", "reviewer": LONG})
        status, text = _post_form(base, path, body, cookie)
    assert status == 400, (status, text[:500])
    assert f"at most {REVIEWER_NAME_MAX} characters" in text
    assert LONG not in _reviewers(made)


def test_ui_given_a_reviewer_name_over_the_limit_refuses_to_start(project) -> None:
    made, _ = project
    with socket.socket() as taken:  # were the name let through, the port taken ends it
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(
            app, ["ui", "--reports", str(made.reports), "--port", port, "--reviewer", LONG]
        )
    assert result.exit_code == 2, result.output[:500]
    _limit_line(result.output)


def test_a_longer_name_the_store_already_holds_still_gives_verdicts(project, monkeypatch) -> None:
    """A reviewer registered (with a token) before the limit, under a name over it: the store
    holds the name, so it is theirs, as the look-alike check has it. Was: refused, exit 2, and
    nothing could let them give a verdict again. A new name that long is still refused."""
    made, run_id = project
    held = "d" * (REVIEWER_NAME_MAX + 50)
    with sqlite3.connect(made.reports / "runs.db") as conn:  # as a store from before the limit
        conn.execute(
            "INSERT INTO reviewers (name, token_sha256, created_at) VALUES (?, ?, ?)",
            (held, token_hash("s3cret"), "2026-12-01T09:00:00+00:00"),
        )
    conn.close()
    monkeypatch.setenv("ASSURANCE_REVIEW_TOKEN", "s3cret")
    reports = ["--reports", str(made.reports)]
    given = CliRunner().invoke(
        app, ["review", "adjudicate", run_id, "c3#0", "--agree", "--reviewer", held, *reports]
    )
    assert given.exit_code == 0, given.output[:500]
    assert held in _reviewers(made)
    monkeypatch.setenv("ASSURANCE_REVIEW_TOKEN", "wrong")  # still guarded by its token
    refused = CliRunner().invoke(
        app, ["review", "adjudicate", run_id, "c3#0", "--agree", "--reviewer", held, *reports]
    )
    assert refused.exit_code == 2 and "token" in refused.output, refused.output[:500]
    monkeypatch.setenv("ASSURANCE_REVIEW_TOKEN", "new")
    replaced = CliRunner().invoke(
        app, ["review", "add-reviewer", held, "--token-env", "ASSURANCE_REVIEW_TOKEN",
              "--replace", *reports]
    )  # fmt: skip
    assert replaced.exit_code == 0, replaced.output[:500]


def test_ui_given_a_longer_name_the_store_holds_takes_it(project) -> None:
    """``assurance ui --reviewer`` checks the name at start: one over the limit that the store
    already holds is theirs there too. Was: refused to start (exit 2, naming the limit)."""
    made, _ = project
    held = "e" * (REVIEWER_NAME_MAX + 10)
    with sqlite3.connect(made.reports / "runs.db") as conn:  # as a store from before the limit
        conn.execute(
            "INSERT INTO reviewers (name, token_sha256, created_at) VALUES (?, NULL, ?)",
            (held, "2026-12-01T09:00:00+00:00"),
        )
    conn.close()
    with socket.socket() as taken:  # the name let through, the port taken ends it
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(
            app, ["ui", "--reports", str(made.reports), "--port", port, "--reviewer", held]
        )
    assert "characters long" not in result.output, result.output[:500]
    assert port in result.output, result.output[:500]  # it went on to bind the port


def test_ui_with_a_team_store_takes_a_longer_name_it_holds(
    pg_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with a team store and no ``runs.db`` here (the queue and verdicts are in the
    team store; this machine may have no run folders). Was: refused to start, exit 2 naming the
    limit: the held name was looked up only where a local ``runs.db`` existed."""
    from assurance_harness.store.postgres import PostgresDatabase

    held = "f" * (REVIEWER_NAME_MAX + 10)
    team = PostgresDatabase(pg_url)
    team.ensure_schema()
    with team.transaction() as conn:  # as a team store from before the limit
        conn.execute(
            "INSERT INTO reviewers (name, token_sha256, created_at) VALUES (?, NULL, ?)",
            (held, "2026-12-01T09:00:00+00:00"),
        )
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    reports = tmp_path / "reports"
    reports.mkdir()
    with socket.socket() as taken:  # the name let through, the port taken ends it
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        args = ["ui", "--reports", str(reports), "--port", port, "--reviewer"]
        result = CliRunner().invoke(app, [*args, held])
        new = CliRunner().invoke(app, [*args, "g" * (REVIEWER_NAME_MAX + 10)])
    assert not (reports / "runs.db").exists()
    assert "characters long" not in result.output, result.output[:500]
    assert port in result.output, result.output[:500]  # it went on to bind the port
    assert new.exit_code == 2 and f"at most {REVIEWER_NAME_MAX}" in new.output, new.output[:500]
