"""``register status --reports typo_folder`` read the ledger under a folder that is not there
as an empty one: every risk UNTESTED, exit 0, as if no run had ever been attached. Every view
that reads the default ledger (``REPORTS/evidence/ledger.jsonl``) now refuses a --reports
folder that is not there in one line, exit 2, as ``review queue`` and ``ui`` do (the one rule,
``store.location.reports_to_read``), and makes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli

from .register_testkit import EXAMPLE_REGISTER

NEW_PROJECT = """register_version: 1
system: {name: Demo, intended_use: homework help, owner: Safety lead}
risks:
  - {id: R-001, title: Toxic output, category: safety, owner: T&S, likelihood: 3, impact: 4}
"""


@pytest.mark.parametrize(
    "command",
    [
        ["register", "status"],
        ["register", "show", "R-001"],
        ["register", "soa", "-f", "md"],
        ["register", "export", "-f", "md", "-o", "out.md"],
        ["evidence", "list"],
        # Said "typo_folder/evidence/ledger.jsonl: no ledger yet; attach a run first".
        ["evidence", "verify"],
        ["evidence", "head"],
    ],
)
def test_a_reports_folder_that_is_not_there_is_refused(command: list[str], tmp_path: Path) -> None:
    register = tmp_path / "risk_register.yaml"
    register.write_text(EXAMPLE_REGISTER.read_text(encoding="utf-8"), encoding="utf-8")
    args = [*command, "--reports", "typo_folder"]
    if command[0] == "register":
        args += ["--register", str(register)]
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip() == (
        "error: --reports typo_folder: no such folder; give the folder the runs are in"
    ), done.stderr
    assert "UNTESTED" not in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["risk_register.yaml"]


def test_the_default_reports_folder_not_there_yet_is_a_new_project(tmp_path: Path) -> None:
    """Before the first run there is no reports/ folder: every risk is untested, which is
    true, and the register is worth viewing then."""
    register = tmp_path / "risk_register.yaml"
    register.write_text(NEW_PROJECT, encoding="utf-8")
    done = run_cli("register", "status", "--register", str(register), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "UNTESTED" in done.stdout
