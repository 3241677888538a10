"""An annex of some runs says which other risks of the register are not verified. Section 5
lists only the risks the named runs evidence, and the limitations named every untested risk of
the register but no failing one (the data-protection section names a failing privacy risk): an
annex of the passing runs alone read as a system whose risks were all verified while the
register held one failing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import attach_run

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run


def test_a_failing_risk_the_named_runs_do_not_evidence_is_named(
    reports: Path, ledger: Path, tmp_path: Path
) -> None:
    passing = make_run(reports, suite="toxicity-core", evidence_for=["R-001"])
    failing = make_run(
        reports,
        suite="bias-bbq-style",
        evidence_for=["R-003"],
        gates=[GateSpec("bias_ambiguous", "fail", value=0.2, ci_low=0.1, ci_high=0.3)],
    )
    ledger.parent.mkdir(parents=True)
    for run in (passing, failing):
        attach_run(run, ledger_path=ledger, register_path=EXAMPLE_REGISTER)
    out = tmp_path / "annex"
    result = CliRunner().invoke(
        app,
        ["evidence", "pack", passing.name, "--out", str(out), "--reports", str(reports),
         "--register", str(EXAMPLE_REGISTER)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    markdown = (out / "annex.md").read_text("utf-8")
    assert failing.name not in markdown  # not packed: the pack is of the runs named
    limitations = markdown.split("## 6. Limitations", 1)[1].split("## 7.", 1)[0]
    line = next((x for x in limitations.splitlines() if "R-003" in x), None)
    assert line is not None and "failing" in line.lower(), limitations
    assert "R-001" not in limitations.replace("R-001 (", ""), limitations  # verified, shown
    html = (out / "annex.html").read_text("utf-8")
    assert "R-003" in html.split("Limitations", 1)[1], html
