"""A results.jsonl line that is no result row (torn, not JSON, another shape) is skipped so the
rest of the run can still be shown, but never silently: the report command, the HTML, Markdown
and JSON reports and the web app's run page say how many lines were skipped and which."""

from __future__ import annotations

import html as htmllib
import json
import urllib.request
from pathlib import Path

from assurance_harness.ui.app import Settings

from ..review.serve import serving
from ..testing.cli import run_cli
from .runfixtures import toxicity_run

ODD = [
    '{"case_id": "torn-1", "sample"',  # a torn line, as a crash leaves it
    json.dumps(["not", "a", "row"]),
    json.dumps({"case_id": "odd-1", "sample": "x"}),  # another shape: a word for the sample
]


def _damaged_run(tmp_path: Path) -> Path:
    run_dir = toxicity_run(tmp_path / "reports", "r-skip", {1}, n_cases=5)
    with (run_dir / "results.jsonl").open("a", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in ODD)  # lines 6, 7 and 8
    return run_dir


def test_the_report_command_and_every_report_name_the_skipped_lines(tmp_path: Path) -> None:
    run_dir = _damaged_run(tmp_path)
    results = run_dir / "results.jsonl"
    out = tmp_path / "out"
    proc = run_cli("report", run_dir, "--out", out, timeout=120)
    assert proc.returncode == 0, proc.stderr
    note = f"{results}: 3 line(s) skipped, not result rows: lines 6, 7, 8"
    assert note in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert note in htmllib.unescape(html)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "3 line(s) skipped, not result rows: lines 6, 7, 8" in markdown
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert document["skipped_result_lines"] == {"path": str(results), "lines": [6, 7, 8]}
    junit = (out / "junit.xml").read_text(encoding="utf-8")
    assert f'name="results_skipped" value="{note}"' in htmllib.unescape(junit)


def test_a_well_formed_results_file_gets_no_note(tmp_path: Path) -> None:
    run_dir = toxicity_run(tmp_path / "reports", "r-fine", {1}, n_cases=5)
    out = tmp_path / "out"
    proc = run_cli("report", run_dir, "--out", out, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "skipped" not in proc.stderr
    assert "skipped, not result rows" not in (out / "report.html").read_text(encoding="utf-8")
    assert "skipped, not result rows" not in (out / "report.md").read_text(encoding="utf-8")
    assert "skipped_result_lines" not in json.loads((out / "report.json").read_text("utf-8"))
    assert "results_skipped" not in (out / "junit.xml").read_text(encoding="utf-8")


def test_many_skipped_lines_are_counted_and_the_first_named(tmp_path: Path) -> None:
    from assurance_harness.store.runread import read_run

    run_dir = toxicity_run(tmp_path / "reports", "r-many", {1}, n_cases=2)
    with (run_dir / "results.jsonl").open("a", encoding="utf-8") as handle:
        handle.writelines("{torn\n" for _ in range(25))  # lines 3 to 27
    run = read_run(run_dir)
    assert len(run.rows()) == 2
    assert run.skipped_results() == list(range(3, 28))
    note = run.skipped_note()
    assert note is not None
    assert note.startswith(f"{run_dir / 'results.jsonl'}: 25 line(s) skipped, not result rows:")
    assert "lines 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, … (25 in all)" in note


def test_the_web_run_page_names_the_skipped_lines(tmp_path: Path) -> None:
    run_dir = _damaged_run(tmp_path)
    settings = Settings(tmp_path / "reports", tmp_path / "register.yaml", tmp_path / "ledger")
    with serving(settings) as base:
        page = _get(f"{base}/runs/r-skip")
    note = f"{run_dir / 'results.jsonl'}: 3 line(s) skipped, not result rows: lines 6, 7, 8"
    assert note in page


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return htmllib.unescape(response.read().decode("utf-8"))


def test_a_comparison_names_the_lines_it_skipped(tmp_path: Path) -> None:
    """compare pairs the two runs' rows (the paired test, "same cases"): a skipped line of
    either run is named in its warnings, which every compare output shows."""
    from assurance_harness.compare.engine import compare_runs
    from assurance_harness.report.rundata import load_run

    base = toxicity_run(tmp_path / "reports", "r-base", {1}, n_cases=5)
    cand = _damaged_run(tmp_path)
    result = compare_runs(load_run(base), load_run(cand))
    note = f"{cand / 'results.jsonl'}: 3 line(s) skipped, not result rows: lines 6, 7, 8"
    assert [w for w in result.warnings if "skipped" in w] == [f"the candidate run r-skip: {note}"]


def test_review_status_names_the_lines_its_verdicts_left_out(tmp_path: Path) -> None:
    """``review status`` recomputes each gate from the rows with the human labels in: its
    verdicts rest on the rows read, so the lines it skipped are named beside them."""
    cand = _damaged_run(tmp_path)
    # Lines appended make the file another than the manifest's, which review status refuses
    # (tests/review/test_review_status_damaged_results.py); a run copied without the results'
    # hash is measured, and the lines skipped are named.
    manifest = json.loads((cand / "manifest.json").read_text(encoding="utf-8"))
    manifest["results"].pop("sha256")
    (cand / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    proc = run_cli("review", "status", "r-skip", "--reports", tmp_path / "reports", timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    note = f"{cand / 'results.jsonl'}: 3 line(s) skipped, not result rows: lines 6, 7, 8"
    assert f"warning: {note}" in proc.stderr, proc.stderr
