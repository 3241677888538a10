"""Run ids are unique across the team store, not only in one machine's reports folder.

A run's id is ``<UTC second>-<suite>-<4 hex>``, and the runner draws again only where its own
reports folder already holds the id. CI jobs on several machines start the same suite in the
same second; two that drew the same 4 hex digits (1 pair in 65,536) shared one id in the team
store: the second run's index row replaced the first's, and its evidence records were skipped
as already there (a (run, risk, gate) the ledger held), so its results were attested by the
other machine's hashes. Two reports folders play the two machines; the draw is made to repeat.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.store.postgres import PostgresDatabase

from ..testing.project import echo_project

pytestmark = pytest.mark.slow  # two whole runs

TAKEN = "20260101T000000Z-echo-abcd"


def _draws(monkeypatch: pytest.MonkeyPatch, ids: list[str]) -> None:
    """The runner's next run ids are ``ids``, then its own random ones."""
    from assurance_harness.runner import run

    real = run.new_run_id
    given: Iterator[str] = iter(ids)
    monkeypatch.setattr(run, "new_run_id", lambda suite: next(given, None) or real(suite))


def _run_in(root: Path, url: str) -> Any:
    from typer.testing import CliRunner

    from assurance_harness.cli import app
    from assurance_harness.store.location import set_cli_store

    previous = Path.cwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, ["run", "s.yaml", "--target", "t.yaml", "--store", url])
    finally:
        os.chdir(previous)
        set_cli_store(None)


def test_a_run_id_another_machine_took_in_the_team_store_is_drawn_again(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "machine-a", tmp_path / "machine-b"
    for root in (first, second):
        root.mkdir()
        echo_project(root, suite="run-ids")
    _draws(monkeypatch, [TAKEN])
    done = _run_in(first, pg_url)
    assert done.exit_code == 0, done.output
    _draws(monkeypatch, [TAKEN])  # the other machine draws the same id
    done = _run_in(second, pg_url)
    assert done.exit_code == 0, done.output
    (other,) = [p.parent.name for p in (second / "reports").glob("*/summary.json")]
    assert other != TAKEN, done.output
    with PostgresDatabase(pg_url).transaction() as conn:
        rows = conn.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall()
    # Was: one row, the second machine's, in place of the first's.
    assert sorted(r["run_id"] for r in rows) == sorted([TAKEN, other])
