"""A run folder deleted by hand (``rm -rf reports/<id>``) while its row stays in runs.db: every
command that takes a run id says so in the one line the review commands say (the expected path,
moved or deleted, what to do; exit 2), not "run '...' not found" as if the id were mistyped. An
id that was never a run keeps its "not found"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assurance_harness.store.runread import missing_run_text
from tests.testing.cli import one_line_refusal, run_cli
from tests.testing.project import echo_runs


@pytest.fixture(scope="module")
def gone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A project with two finished runs (indexed), the older one's folder deleted."""
    root = tmp_path_factory.mktemp("gone")
    deleted, kept = echo_runs(root, "folder-gone", count=2)
    shutil.rmtree(deleted)
    return root, kept.name, deleted.name


def _commands(kept: str, deleted: str) -> dict[str, list[str]]:
    return {
        "report": ["report", deleted],
        "compare as candidate": ["compare", kept, deleted],
        "compare as baseline": ["compare", deleted, kept],
        "baseline set": ["baseline", "set", deleted],
        "evidence attach": ["evidence", "attach", deleted],
        "evidence pack": ["evidence", "pack", deleted, "--out", "annex"],
        "review status": ["review", "status", deleted],
        "review adjudicate": ["review", "adjudicate", deleted, "a#0", "--agree"],
        "review queue": ["review", "queue", "--run", deleted],
        "run --resume": ["run", "s.yaml", "--target", "t.yaml", "--resume", deleted],
    }


COMMANDS = list(_commands("K", "D"))


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_given_a_run_whose_folder_is_gone_says_so(gone, name: str) -> None:
    root, kept, deleted = gone
    line = one_line_refusal(run_cli(*_commands(kept, deleted)[name], cwd=root, timeout=60))
    assert line == f"error: {missing_run_text(deleted, Path('reports') / deleted)}"
    assert "not found" not in line


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["report", "never-a-run"], "run 'never-a-run' not found"),
        (["compare", "never-a-run", "K"], "run 'never-a-run' not found"),
        (
            ["run", "s.yaml", "--target", "t.yaml", "--resume", "never-a-run"],
            "run 'never-a-run' not found",
        ),
    ],
)
def test_an_id_that_was_never_a_run_is_still_not_found(gone, args: list[str], said: str) -> None:
    root, kept, _ = gone
    args = [kept if a == "K" else a for a in args]
    line = one_line_refusal(run_cli(*args, cwd=root, timeout=60))
    assert said in line and "no longer there" not in line
