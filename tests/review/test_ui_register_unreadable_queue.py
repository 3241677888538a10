"""A risk whose latest run's gates awaited review, and whose run folder can no longer be read
(summary.json gone, damaged, or a pipe in its place): whether its flagged rows were all
reviewed cannot be told. Was: the rows were counted as none, and the risk read "verified:
every linked gate passed" on the register page and in ``register status``, on no evidence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assurance_harness.ui.app import Settings
from tests.testing.cli import run_cli

from .reviewkit import make_project
from .serve import get_page, serving


def _damage(summary: Path, how: str) -> None:
    summary.unlink()
    if how == "not JSON":
        summary.write_text("{", encoding="utf-8")
    elif how == "a pipe":
        os.mkfifo(summary)


@pytest.mark.parametrize("how", ["gone", "not JSON", "a pipe"])
def test_a_run_awaiting_review_whose_folder_cannot_be_read_is_not_verified(
    tmp_path: Path, how: str
) -> None:
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    _damage(project.reports / run_id / "summary.json", how)
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        page = get_page(base + "/register")
    assert 'class="badge verified"' not in page, page
    assert "every linked gate passed" not in page, page
    assert "awaiting review" in page and "cannot be told" in page, page
    cli = run_cli(
        "register", "status", "--register", project.register, "--ledger", project.ledger,
        env={"COLUMNS": "400"},
    )  # fmt: skip
    assert "VERIFIED" not in cli.stdout and "AWAITING REVIEW" in cli.stdout, cli.stdout
