"""``assurance report``: by run id under --reports, or by path; one-line errors, exit 2."""

from __future__ import annotations

from pathlib import Path

import typer
from runfixtures import toxicity_run
from typer.testing import CliRunner

from assurance_harness.report.cli import install


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test entry point (so that commands keep their names)."""

    install(app)
    return app


def test_report_by_run_id(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    run_dir = toxicity_run(reports, "r-1", {1, 2}, n_cases=20)
    result = CliRunner().invoke(
        _app(), ["report", "r-1", "--reports", str(reports), "--format", "html,junit"]
    )
    assert result.exit_code == 0, result.output
    assert (run_dir / "report.html").exists() and (run_dir / "junit.xml").exists()
    assert not (run_dir / "report.md").exists()
    assert "junit" in result.output


def test_report_to_out_dir_by_path(tmp_path: Path) -> None:
    run_dir = toxicity_run(tmp_path / "reports", "r-2", set(), n_cases=5)
    out = tmp_path / "artifacts"
    result = CliRunner().invoke(_app(), ["report", str(run_dir), "--out", str(out), "-f", "md"])
    assert result.exit_code == 0, result.output
    assert (out / "report.md").exists()


def test_report_errors_are_one_line(tmp_path: Path) -> None:
    toxicity_run(tmp_path / "reports", "r-3", set(), n_cases=5)
    runner = CliRunner()
    result = runner.invoke(_app(), ["report", "nope", "--reports", str(tmp_path / "reports")])
    assert result.exit_code == 2
    assert "run 'nope' not found" in result.output and "r-3" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(
        _app(), ["report", "r-3", "--reports", str(tmp_path / "reports"), "-f", "pdf"]
    )
    assert result.exit_code == 2
    assert "unknown report format 'pdf'" in result.output
