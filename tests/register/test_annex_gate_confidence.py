"""The annex's gate verdicts give each interval the level of the metric it was computed at. They
labelled every gate's interval 95% (the gate's record holds no level, and the default filled
in), so a gate on a 99% interval read "0.02 [0.005, 0.06] 95% CI" two rows below the metrics
table's "99% CI" for the same figures."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run


def test_a_gate_on_a_99_percent_interval_reads_99_percent(reports: Path, tmp_path: Path) -> None:
    run = make_run(reports, gates=[GateSpec("toxic_rate", "pass", confidence=0.99)])
    out = tmp_path / "annex"
    result = CliRunner().invoke(
        app,
        ["evidence", "pack", run.name, "--out", str(out), "--reports", str(reports),
         "--register", str(EXAMPLE_REGISTER)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("annex.md", "annex.html"):
        text = (out / name).read_text("utf-8")
        assert "95% CI" not in text, name
        assert text.count("99% CI") == 2, name  # the metrics table and the gate verdicts
