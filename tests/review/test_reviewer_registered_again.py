"""Registering a reviewer who is already registered. ``add-reviewer alice`` (a set-up script
run again without the variable, or anyone at the keyboard) replaced alice's token with none,
exit 0, "reviewer alice registered": her name no longer needed her token, and verdicts under it
were anyone's. A new token replaced hers as silently, locking her out. The token a name is
registered with changes only with ``--replace``; registering it again as it is changes
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from assurance_harness.cli import app
from assurance_harness.errors import UsageError
from assurance_harness.review.store import ReviewStore


@pytest.fixture
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store with 'alice' registered with the token ``first``."""
    monkeypatch.setenv("FIRST_TOKEN", "first")
    monkeypatch.setenv("SECOND_TOKEN", "second")
    folder = tmp_path / "reports"
    added = _add("alice", "--token-env", "FIRST_TOKEN", reports=folder)
    assert added.exit_code == 0, added.output
    return folder


def _add(*args: str, reports: Path) -> Result:
    return CliRunner().invoke(app, ["review", "add-reviewer", *args, "--reports", str(reports)])


def _accepts(reports: Path, token: str | None) -> bool:
    try:
        ReviewStore(reports / "runs.db").check_reviewer("alice", token)
    except UsageError:
        return False
    return True


@pytest.mark.parametrize(
    "again",
    [(), ("--token-env", "SECOND_TOKEN")],
    ids=["without a token", "with another token"],
)
def test_a_registered_reviewers_token_changes_only_with_replace(
    reports: Path, again: tuple[str, ...]
) -> None:
    refused = _add("alice", *again, reports=reports)
    assert refused.exit_code == 2, refused.output
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and "already registered" in lines[0] and "--replace" in lines[0]
    assert _accepts(reports, "first") and not _accepts(reports, None)

    replaced = _add("alice", *again, "--replace", reports=reports)
    assert replaced.exit_code == 0, replaced.output
    assert "replaced" in replaced.output
    if again:  # the new token, and only it
        assert _accepts(reports, "second")
        assert not _accepts(reports, "first") and not _accepts(reports, None)
    else:  # no token needed now
        assert _accepts(reports, None)


def test_registering_a_reviewer_again_as_they_are_changes_nothing(reports: Path) -> None:
    """A set-up script run twice: the same name with the same token is no change, exit 0."""
    again = _add("alice", "--token-env", "FIRST_TOKEN", reports=reports)
    assert again.exit_code == 0, again.output
    assert "already registered" in again.output
    assert _accepts(reports, "first") and not _accepts(reports, "second")

    bob = _add("bob", reports=reports)
    assert bob.exit_code == 0
    bob_again = _add("bob", reports=reports)
    assert bob_again.exit_code == 0, bob_again.output


def test_replace_for_a_reviewer_not_registered_is_refused(reports: Path) -> None:
    """``--replace`` names one who is there: a typo in the name would otherwise register a new
    reviewer while the one meant kept the old token."""
    typo = _add("alcie", "--token-env", "SECOND_TOKEN", "--replace", reports=reports)
    assert typo.exit_code == 2, typo.output
    assert "not registered" in typo.output
    assert _accepts(reports, "first")
