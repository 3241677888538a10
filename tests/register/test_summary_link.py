"""A run's summary.json that is a symbolic link to another file, in the run folder or outside
it. A run writes no links: the file the link names is not the one the run wrote, and it can
change without the run folder changing. Observed: ``evidence verify`` passed a link to a copy
with the run's bytes as the run's own file; a link to an edited copy read as the generic
"does not match the SHA-256" of an edited file (every view of the run, ``evidence attach``,
``runs purge``), never saying that a link was there or where it led. Now each says that the
file is a symbolic link and to where, as a link that leads nowhere already is."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.privacy.run_end import run_end
from assurance_harness.register.ledger import attach_run
from assurance_harness.store.runread import read_run

from .register_testkit import make_run


def _link_summary(run: Path, where: str, *, edit: bool = False) -> Path:
    """Replace ``run``'s summary.json by a link to a copy of it (``edit``: with another model
    version) in the run folder (``where`` "inside") or beside it ("outside"); the copy."""
    summary = run / "summary.json"
    data = json.loads(summary.read_text(encoding="utf-8"))
    if edit:
        data["model_version"] = "edited-1.0"
    copy = (run if where == "inside" else run.parent.parent) / "summary-copy.json"
    copy.write_text(json.dumps(data) if edit else summary.read_text(encoding="utf-8"))
    summary.unlink()
    summary.symlink_to(copy.name if where == "inside" else copy)
    return copy


def _lines(text: str) -> str:
    return text.replace("\n", "")


@pytest.mark.parametrize("where", ["inside", "outside"])
def test_verify_names_a_linked_summary_and_where_it_leads(reports: Path, where: str) -> None:
    ledger = reports / "evidence" / "ledger.jsonl"
    ledger.parent.mkdir()
    run = make_run(reports)
    attach_run(run, ledger_path=ledger)
    copy = _link_summary(run, where)  # the run's own bytes: the hashes still match

    result = CliRunner().invoke(
        app, ["evidence", "verify", "--ledger", str(ledger), "--reports", str(reports)]
    )

    out = _lines(result.stdout + result.stderr)  # the issues are on stderr
    target = os.readlink(run / "summary.json")
    assert result.exit_code == 1, out
    assert f"{run / 'summary.json'} is a symbolic link to {target}" in out, out
    assert str(copy.resolve()) in out and "not the file the run wrote" in out, out


def test_attach_refuses_a_linked_summary_naming_the_link(reports: Path) -> None:
    ledger = reports / "evidence" / "ledger.jsonl"
    run = make_run(reports)
    copy = _link_summary(run, "outside")

    result = CliRunner().invoke(app, ["evidence", "attach", str(run), "--ledger", str(ledger)])

    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 1 and len(errors) == 1, result.stdout + result.stderr
    assert f"{run / 'summary.json'}: is a symbolic link to {copy}" in errors[0], errors
    assert "not the file the run wrote" in errors[0] and "SHA-256 in its" not in errors[0]
    assert not ledger.exists()


def test_every_view_says_a_linked_edited_summary_is_a_link(reports: Path) -> None:
    run = make_run(reports)
    copy = _link_summary(run, "inside", edit=True)

    changed = read_run(run).summary_changed()
    doubt = run_end(run, []).doubt

    for said in (changed, doubt):
        assert said is not None and f"is a symbolic link to {copy.name}" in said, said
        assert str(copy) in said and "does not match" not in said, said


def test_attach_of_a_folder_whose_summary_link_leads_nowhere_says_so(reports: Path) -> None:
    run = make_run(reports)
    (run / "summary.json").unlink()
    (run / "summary.json").symlink_to(reports / "gone.json")

    result = CliRunner().invoke(app, ["evidence", "attach", str(run)])

    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(errors) == 1, result.stdout + result.stderr
    assert f"{run / 'summary.json'}: a symbolic link that leads nowhere" in errors[0], errors
    assert "not a run's" not in errors[0]


def test_verify_names_a_linked_results_file(reports: Path) -> None:
    ledger = reports / "evidence" / "ledger.jsonl"
    ledger.parent.mkdir()
    run = make_run(reports)
    attach_run(run, ledger_path=ledger)
    results = run / "results.jsonl"
    copy = reports.parent / "results-copy.jsonl"
    copy.write_bytes(results.read_bytes())  # the run's own bytes: the hashes still match
    results.unlink()
    results.symlink_to(copy)

    result = CliRunner().invoke(
        app, ["evidence", "verify", "--ledger", str(ledger), "--reports", str(reports)]
    )

    out = _lines(result.stdout + result.stderr)
    assert result.exit_code == 1, out
    assert f"{results} is a symbolic link to {copy}" in out, out
    assert out.count("is a symbolic link") == 1, out
