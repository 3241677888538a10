"""``review queue`` reads: with no run index in the reports folder (a new project, or a typo in
``--reports``) it listed an empty queue and created the folder and an empty ``runs.db`` there,
where every other reader (``review history``, ``runs list``, ``baseline show``) creates
nothing. A store not made yet holds no queued row, and is not made by asking; a folder that is
not there is refused (a typo: nothing waits there), and nothing is made either."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli


@pytest.mark.parametrize(
    "options", [[], ["--json"], ["--pending"]], ids=["table", "json", "pending"]
)
def test_the_queue_of_a_folder_without_a_store_creates_nothing(
    tmp_path: Path, options: list[str]
) -> None:
    done = run_cli("review", "queue", "--reports", "repotrs", *options, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip() == (
        "error: --reports repotrs: no such folder; give the folder the runs are in"
    ), done.stderr
    assert list(tmp_path.iterdir()) == []  # no repotrs/, no repotrs/runs.db


def test_the_queue_of_an_existing_folder_without_a_store_creates_no_store(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    done = run_cli("review", "queue", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "[]", done.stdout
    assert list((tmp_path / "reports").iterdir()) == []
