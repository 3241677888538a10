"""``assurance report`` of a run whose results.jsonl is no longer the file the run wrote (cut at
a line boundary, emptied, edited). Observed: the report was written without a word (exit 0):
the figures from summary.json beside worst-case tables and plots from the rows that were left,
which read as a whole run. Every format now says so, as it says when lines were skipped, and
the command warns on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli

from .runfixtures import toxicity_run


def test_a_report_of_a_run_whose_results_changed_says_so_in_every_format(
    tmp_path: Path,
) -> None:
    reports = tmp_path / "reports"
    results = toxicity_run(reports, "r-1", {1, 2, 30}, n_cases=40) / "results.jsonl"
    lines = results.read_text(encoding="utf-8").splitlines(keepends=True)
    results.write_text("".join(lines[:20]), encoding="utf-8")  # case 30, a worst case, gone

    done = run_cli("report", "r-1", "--reports", reports, "-o", tmp_path / "out", timeout=60)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1, done.stderr
    assert str(results) in warnings[0] and "manifest.json" in warnings[0], warnings
    out = tmp_path / "out"
    for name in ("report.md", "report.html", "junit.xml"):
        text = (out / name).read_text(encoding="utf-8")
        assert "does not match the SHA-256 in its manifest.json" in text, name
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert "manifest.json" in document["results_changed"], document.keys()


def test_a_report_of_an_untouched_run_has_no_such_note(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    toxicity_run(reports, "r-1", {1, 2}, n_cases=20)
    done = run_cli("report", "r-1", "--reports", reports, "-o", tmp_path / "out", timeout=60)
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
    document = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert "results_changed" not in document
    assert "manifest.json (cut short" not in (tmp_path / "out" / "report.md").read_text()


def test_a_results_line_nested_too_deep_is_skipped_not_a_crash(tmp_path: Path) -> None:
    """Observed (benchmarks/fuzz.py --run-folders): a line of 100,000 nested arrays was an
    internal error (RecursionError) in report and compare; it is a line that is no row."""
    reports = tmp_path / "reports"
    results = toxicity_run(reports, "r-1", {1, 2}, n_cases=20) / "results.jsonl"
    with results.open("ab") as handle:
        handle.write(b"[" * 100_000 + b"]" * 100_000 + b"\n")
    done = run_cli("report", "r-1", "--reports", reports, "-o", tmp_path / "out", timeout=60)
    assert "internal error" not in done.stderr, done.stderr
    assert done.returncode == 0 and "1 line(s) skipped" in done.stderr, done.stderr
