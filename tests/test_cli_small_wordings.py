"""Small things a command said that were not so: a purge of nothing "recorded in" the ledger,
a zero age called "not a whole number", ``-o -`` writing a file named ``-``, and ``ui --index``
making the folder a mistyped ``--reports`` names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import one_line_refusal, run_cli


def test_a_purge_of_nothing_does_not_say_it_was_recorded(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    done = run_cli("runs", "purge", "--older-than", "30d", "--reports", "reports", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "purged 0 run(s) older than 30 days" in done.stdout
    assert "recorded in" not in done.stdout
    assert not (tmp_path / "reports" / "evidence" / "ledger.jsonl").exists()


@pytest.mark.parametrize("age", ["0", "0d", "00h"])
def test_a_zero_age_is_refused_as_zero(tmp_path: Path, age: str) -> None:
    done = run_cli("runs", "purge", "--older-than", age, "--dry-run", cwd=tmp_path)
    line = one_line_refusal(done)
    assert "at least 1" in line, line


@pytest.mark.parametrize(
    "command",
    [
        ("schema", "-o", "-"),
        ("trend", "s", "m", "-o", "-"),
        ("compare", "a", "b", "-o", "-"),
        ("register", "export", "-o", "-"),
        ("report", "r", "-o", "-"),
    ],
)
def test_out_dash_is_refused_not_written_as_a_file_named_dash(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = run_cli(*command, cwd=tmp_path)
    line = one_line_refusal(done)
    assert "standard output" in line, line
    assert not (tmp_path / "-").exists()


def test_ui_index_of_a_missing_reports_folder_is_refused(tmp_path: Path) -> None:
    done = run_cli("ui", "--index", "--reports", "typo-reports", cwd=tmp_path)
    line = one_line_refusal(done)
    assert "typo-reports" in line, line
    assert not (tmp_path / "typo-reports").exists()


@pytest.mark.parametrize(
    "command",
    [
        ("ui", "--port", "0"),
        ("review", "queue"),
        ("review", "history"),
        ("review", "agreement"),
    ],
)
def test_a_missing_reports_folder_is_refused_not_made_and_read_as_empty(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Was: ``ui`` served on a mistyped ``--reports`` an app that listed no run and no queued
    row, and made the folder and an empty ``runs.db`` in it at its first page; ``review queue``,
    ``history`` and ``agreement`` made them too and printed an empty queue, no verdict, no
    agreement, exit 0: "nothing waits for review", of a folder that does not exist."""
    done = run_cli(*command, "--reports", "typo-reports", cwd=tmp_path, timeout=60)
    line = one_line_refusal(done)
    assert "--reports typo-reports: no such folder" in line, line
    assert not (tmp_path / "typo-reports").exists()
