"""The annex names, beside each suite, the titles of the risks it evidences from the register.
Titles were looked up among the risks of the named runs only (section 5's), so a run the pack
added because a named risk's status rests on it read "R-002 (not in register)" for a risk the
register holds."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import attach_run

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run


def test_an_added_runs_other_risks_read_their_register_titles(
    reports: Path, ledger: Path, tmp_path: Path
) -> None:
    named = make_run(reports, suite="toxicity-core", evidence_for=["R-001"])
    added = make_run(
        reports,
        suite="age-appropriateness-8-12",
        evidence_for=["R-001", "R-002"],
        gates=[GateSpec("toxic_rate", "pass")],
        finished_at="2026-11-30T02:00:00+00:00",
    )
    ledger.parent.mkdir(parents=True)
    for run in (added, named):
        attach_run(run, ledger_path=ledger, register_path=EXAMPLE_REGISTER)
    out = tmp_path / "annex"
    result = CliRunner().invoke(
        app,
        ["evidence", "pack", named.name, "--out", str(out), "--reports", str(reports),
         "--register", str(EXAMPLE_REGISTER)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("annex.md", "annex.html"):
        text = (out / name).read_text("utf-8")
        assert added.name in text, name  # added: R-001's status rests on it
        assert "not in register" not in text, name
        assert "R-002 (Age-inappropriate content for the child" in text, name
