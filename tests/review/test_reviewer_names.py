"""A reviewer's name is evidence (it goes into the append-only ledger) and the key that a token
guards. A name holding an invisible character (a zero-width space, a bidirectional override, a
control character) printed as the registered name it imitates, yet was another reviewer: it
needed no token, and its verdicts counted as a second person's in the agreement figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import read_ledger

from .reviewkit import make_project


@pytest.mark.parametrize(
    "name",
    ["alice\u200b", "\u202ealice", "ali\x00ce", "alice\nbob", "al\u2028ice"],
)
def test_a_reviewer_name_with_an_invisible_character_is_refused_and_nothing_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    project = make_project(tmp_path)
    outcome = project.run()
    runner = CliRunner()
    reports = ["--reports", str(project.reports)]
    monkeypatch.setenv("ALICE_TOKEN", "s3cret")
    added = runner.invoke(
        app, ["review", "add-reviewer", "alice", "--token-env", "ALICE_TOKEN", *reports]
    )
    assert added.exit_code == 0, added.output
    monkeypatch.delenv("ASSURANCE_REVIEW_TOKEN", raising=False)

    given = runner.invoke(
        app,
        ["review", "adjudicate", outcome.run_id, "c2#0", "--agree", "--reviewer", name, *reports],
    )
    assert given.exit_code == 2, given.output
    assert "--reviewer" in given.output and "invisible" in given.output
    assert not [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]

    registered = runner.invoke(app, ["review", "add-reviewer", name, *reports])
    assert registered.exit_code == 2, registered.output


@pytest.mark.parametrize("variable", ["", " "])
def test_an_empty_token_env_is_refused_and_keeps_the_stored_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """``--token-env "$UNSET"`` registered the name with no token, exit 0: a reviewer set up
    with a token lost it, and anyone could give verdicts under that name."""
    import sqlite3

    project = make_project(tmp_path)
    project.run()
    reports = ["--reports", str(project.reports)]
    monkeypatch.setenv("ALICE_TOKEN", "s3cret")
    runner = CliRunner()
    added = runner.invoke(
        app, ["review", "add-reviewer", "alice", "--token-env", "ALICE_TOKEN", *reports]
    )
    assert added.exit_code == 0, added.output

    def stored() -> object:
        with sqlite3.connect(project.reports / "runs.db") as conn:
            return conn.execute(
                "SELECT token_sha256 FROM reviewers WHERE name = 'alice'"
            ).fetchone()

    before = stored()
    again = runner.invoke(
        app, ["review", "add-reviewer", "alice", "--token-env", variable, *reports]
    )
    assert again.exit_code == 2, again.output
    lines = again.output.strip().splitlines()
    assert len(lines) == 1 and "--token-env" in lines[0], again.output
    assert stored() == before and before is not None and before[0]
