"""A reviewer's name is evidence (it goes into the append-only ledger) and the key that a token
guards. A name holding an invisible character (a zero-width space, a bidirectional override, a
control character) printed as the registered name it imitates, yet was another reviewer: it
needed no token, and its verdicts counted as a second person's in the agreement figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import read_ledger

from .reviewkit import make_project


def _alice_registered_then(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, CliRunner, list[str], Any]:
    """A run's row to review and 'alice' registered with a token; then a verdict on the row
    under ``name``, no token given. The project, the runner, ``--reports`` and that verdict's
    result."""
    project = make_project(tmp_path)
    outcome = project.run(reports=False)
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
    return project, runner, reports, given


@pytest.mark.parametrize(
    "name",
    ["alice\u200b", "\u202ealice", "ali\x00ce", "alice\nbob", "al\u2028ice"],
)
def test_a_reviewer_name_with_an_invisible_character_is_refused_and_nothing_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    project, runner, reports, given = _alice_registered_then(name, tmp_path, monkeypatch)
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
    project.run(reports=False)
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


NFC = "Jos\u00e9"
NFD = "Jose\u0301"
"""One name, as two keyboards (or a copy from a file name on macOS) write it: the same on
every screen, and two different strings."""


def test_a_name_written_decomposed_is_the_same_reviewer_and_needs_their_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'José' registered with a token; 'José' with its accent as a combining mark (NFD) needed
    none, and was a second reviewer: two verdicts of one person on a row counted as two
    people's, the kappa between them printed as agreement between reviewers."""
    project = make_project(tmp_path)
    outcome = project.run(reports=False)
    runner = CliRunner()
    reports = ["--reports", str(project.reports)]
    monkeypatch.setenv("JOSE_TOKEN", "s3cret")
    added = runner.invoke(
        app, ["review", "add-reviewer", NFC, "--token-env", "JOSE_TOKEN", *reports]
    )
    assert added.exit_code == 0, added.output

    def give(name: str, *verdict: str) -> object:
        return runner.invoke(
            app,
            [
                "review",
                "adjudicate",
                outcome.run_id,
                "c2#0",
                *verdict,
                "--reviewer",
                name,
                *reports,
            ],
        )

    monkeypatch.delenv("ASSURANCE_REVIEW_TOKEN", raising=False)
    refused = give(NFD, "--agree")
    assert refused.exit_code == 2, refused.output
    assert "token" in refused.output
    assert not [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]

    monkeypatch.setenv("ASSURANCE_REVIEW_TOKEN", "s3cret")
    assert give(NFC, "--agree").exit_code == 0
    second = give(NFD, "--label", "false")
    assert second.exit_code == 0, second.output
    records = [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]
    assert [r.review["reviewer"] for r in records] == [NFC, NFC]
    assert records[1].review["supersedes"] == [records[0].id]

    agreement = runner.invoke(app, ["review", "agreement", *reports])
    assert agreement.exit_code == 0, agreement.output
    assert "(0 rows with two reviewers)" in agreement.output, agreement.output


def test_a_name_registered_decomposed_before_names_were_composed_still_needs_its_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written before names were kept composed may hold 'José' registered in NFD, with
    its token: composed, the name given no longer matched that row, and the token was asked of
    nobody."""
    import sqlite3

    from assurance_harness.review.store import token_hash

    project = make_project(tmp_path)
    outcome = project.run(reports=False)
    reports = ["--reports", str(project.reports)]
    with sqlite3.connect(project.reports / "runs.db") as conn:  # as the older version wrote it
        conn.execute(
            "INSERT INTO reviewers (name, token_sha256, created_at) VALUES (?, ?, ?)",
            (NFD, token_hash("s3cret"), "2026-01-01T00:00:00+00:00"),
        )
    monkeypatch.delenv("ASSURANCE_REVIEW_TOKEN", raising=False)
    runner = CliRunner()
    for name in (NFC, NFD):
        argv = ["review", "adjudicate", outcome.run_id, "c2#0", "--agree", "--reviewer", name]
        given = runner.invoke(app, [*argv, *reports])
        assert given.exit_code == 2 and "token" in given.output, given.output
    assert not [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]
    monkeypatch.setenv("ASSURANCE_REVIEW_TOKEN", "s3cret")
    given = runner.invoke(
        app,
        ["review", "adjudicate", outcome.run_id, "c2#0", "--agree", "--reviewer", NFD, *reports],
    )
    assert given.exit_code == 0, given.output


LOOKALIKES = [
    pytest.param("\u0430lice", id="cyrillic-a"),
    pytest.param("al\u0456ce", id="cyrillic-i"),
    pytest.param("aIice", id="capital-i-for-l"),
    pytest.param("a1ice", id="digit-one-for-l"),
    pytest.param("Alice", id="other-case"),
    pytest.param("\uff41lice", id="fullwidth-a"),
]
"""Names that print as 'alice' (or as its other case), each written with other characters."""


@pytest.mark.parametrize("name", LOOKALIKES)
def test_a_name_that_looks_like_a_known_reviewer_is_refused_and_nothing_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """'alice' registered with a token; 'аlice' with a Cyrillic 'а' printed as her name in the
    ledger, the queue and the agreement figures, needed no token (it is no registered name)
    and was a second reviewer: one person's two verdicts on a row counted as two people's."""
    project, runner, reports, given = _alice_registered_then(name, tmp_path, monkeypatch)
    assert given.exit_code == 2, given.output
    assert "looks like" in given.output and "'alice'" in given.output, given.output
    assert "Traceback" not in given.output
    assert not [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]

    registered = runner.invoke(app, ["review", "add-reviewer", name, *reports])
    assert registered.exit_code == 2, registered.output
    assert "looks like" in registered.output


def test_a_name_like_an_earlier_reviewers_is_refused_and_distinct_names_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unregistered reviewer's verdicts make the name known too: 'Bob' after 'bob' would be
    a second reviewer printed as the same person in other case. Names that differ in a letter
    anyone can see ('bob', 'rob', 'Дмитрий') stay distinct reviewers, and a name already in the
    store is never refused (a store that holds two look-alikes from before keeps working)."""
    project = make_project(tmp_path)
    outcome = project.run(reports=False)
    runner = CliRunner()
    reports = ["--reports", str(project.reports)]
    monkeypatch.delenv("ASSURANCE_REVIEW_TOKEN", raising=False)

    def give(name: str) -> object:
        argv = ["review", "adjudicate", outcome.run_id, "c2#0", "--agree", "--reviewer", name]
        return runner.invoke(app, [*argv, *reports])

    for name in ("bob", "rob", "\u0414\u043c\u0438\u0442\u0440\u0438\u0439"):
        result = give(name)
        assert result.exit_code == 0, (name, result.output)
    refused = give("Bob")
    assert refused.exit_code == 2, refused.output
    assert "looks like" in refused.output and "'bob'" in refused.output
    again = give("bob")
    assert again.exit_code == 0, again.output
    records = read_ledger(project.ledger, reviews=True)
    reviewers = {r.review["reviewer"] for r in records if r.is_review}
    assert reviewers == {"bob", "rob", "\u0414\u043c\u0438\u0442\u0440\u0438\u0439"}


@pytest.mark.parametrize("name", ["Alice  Smith", "Alice Smith  ", "Alice   Smith"])
def test_a_name_with_a_run_of_spaces_is_the_same_reviewer_and_needs_their_token(
    tmp_path: Path, name: str
) -> None:
    """'Alice Smith' registered with a token; 'Alice  Smith' (two spaces, as a slip of the
    thumb or a copy from a table writes it) prints the same on every page (HTML folds the
    spaces) and in most terminals' glance, yet needed no token and was a second reviewer, her
    two verdicts on a row counted as two people's. In-process: the store is the one check."""
    from assurance_harness.errors import UsageError
    from assurance_harness.review.store import ReviewStore

    store = ReviewStore(tmp_path / "runs.db")
    store.db.ensure_schema()
    store.add_reviewer("Alice Smith", "s3cret")
    with pytest.raises(UsageError, match="token"):
        store.check_reviewer(name, None)
    assert store.check_reviewer(name, "s3cret") == "Alice Smith"
