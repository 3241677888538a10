"""``assurance report``: by run id under --reports, or by path; one-line errors, exit 2."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import typer
from typer.testing import CliRunner

from assurance_harness.cli import app

from .runfixtures import toxicity_run


def _app() -> typer.Typer:
    """The real ``assurance`` command tree (complete on import)."""
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


def test_reports_are_readable_by_others_like_any_file_the_run_writes(tmp_path: Path) -> None:
    # They were written through mkstemp and kept its 0600: a CI artifact server or an auditor's
    # account could not open report.html although results.jsonl beside it was readable.
    from assurance_harness.report import write_reports

    run_dir = toxicity_run(tmp_path / "reports", "r-3", {1}, n_cases=5)
    old = os.umask(0o022)
    try:
        paths = write_reports(run_dir)
    finally:
        os.umask(old)
    assert paths
    for path in paths.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name


def test_report_into_a_folder_that_cannot_be_made_is_one_line_exit_2(tmp_path: Path) -> None:
    """--out naming a file, or a folder under a file: one line naming --out and the file, exit
    2 as for every other --out (``store.files.output_faults``), the run folder untouched (was:
    'internal error: FileExistsError', a crash file; then 'File exists' and exit 3)."""
    from tests.testing.cli import run_cli

    run_dir = toxicity_run(tmp_path / "reports", "r-4", {1}, n_cases=5)
    before = sorted(p.name for p in run_dir.iterdir())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    for out in (blocker, blocker / "sub"):
        result = run_cli("report", run_dir, "--out", out, cwd=tmp_path, timeout=120)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: --out {out}: "), lines
        assert "is a file, not a folder" in lines[0], lines
        assert str(blocker) in lines[0] and "--out" in lines[0], lines
    assert sorted(p.name for p in run_dir.iterdir()) == before
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_report_skips_result_lines_that_are_no_result_rows(tmp_path: Path) -> None:
    """Lines edited into shapes no runner writes (a word for the sample, a number for the
    metadata or the scores) are skipped like a torn line (was: internal error ValueError)."""
    from tests.testing.cli import run_cli

    run_dir = toxicity_run(tmp_path / "reports", "r-5", {1}, n_cases=5)
    odd = [
        {"case_id": "odd-1", "sample": "x", "error": {"type": "timeout", "message": "slow"}},
        {"case_id": "odd-2", "sample": 0, "metadata": 5, "scores": [1], "error": "boom"},
        {"case_id": ["odd-3"], "sample": 0, "expected": "yes"},
    ]
    with (run_dir / "results.jsonl").open("a", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in odd)
    result = run_cli("report", run_dir, "--out", tmp_path / "out", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "odd-1" not in html and "odd-2" not in html


def test_report_out_into_another_runs_folder_is_refused(tmp_path: Path) -> None:
    """``-o reports/OTHER`` wrote this run's report.json, report.md and junit.xml over the
    other run's own: its folder then described a run it is not, with exit 0."""
    reports = tmp_path / "reports"
    toxicity_run(reports, "r-a", set(), n_cases=5)
    other = toxicity_run(reports, "r-b", {1}, n_cases=5)
    CliRunner().invoke(_app(), ["report", "r-b", "--reports", str(reports)])
    before = {p.name: p.read_bytes() for p in other.iterdir() if p.is_file()}
    result = CliRunner().invoke(
        _app(), ["report", "r-a", "--reports", str(reports), "-o", str(other)]
    )
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"--out {other}" in lines[0] and "r-b" in lines[0], result.output
    assert {p.name: p.read_bytes() for p in other.iterdir() if p.is_file()} == before


def test_report_out_naming_its_own_run_folder_still_writes(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    run_dir = toxicity_run(reports, "r-c", set(), n_cases=5)
    result = CliRunner().invoke(
        _app(), ["report", "r-c", "--reports", str(reports), "-o", str(run_dir), "-f", "md"]
    )
    assert result.exit_code == 0, result.output
    assert (run_dir / "report.md").exists()


def test_report_out_below_another_runs_folder_is_refused(tmp_path: Path) -> None:
    """``-o reports/OTHER/sub``: only the folder itself was checked, so this run's reports went
    among the other run's evidence files (a folder of its own, read as that run's)."""
    reports = tmp_path / "reports"
    toxicity_run(reports, "r-d", set(), n_cases=5)
    other = toxicity_run(reports, "r-e", {1}, n_cases=5)
    below = other / "sub" / "deeper"
    result = CliRunner().invoke(
        _app(), ["report", "r-d", "--reports", str(reports), "-o", str(below)]
    )
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"--out {below}" in lines[0] and "r-e" in lines[0], result.output
    assert not (other / "sub").exists()
