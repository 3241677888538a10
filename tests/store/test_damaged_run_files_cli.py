"""A run folder damaged on disk (bytes that are not UTF-8, a manifest of the wrong shape) is one
line and exit 2 from ``report`` and ``compare``, never an internal error (exit 3, 'a bug')."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.report.runfixtures import toxicity_run
from tests.testing.cli import run_cli


def _run(tmp_path: Path, run_id: str = "r-1") -> tuple[Path, Path]:
    reports = tmp_path / "reports"
    return reports, toxicity_run(reports, run_id, {1}, n_cases=5)


def _no_crash(proc: object) -> str:
    text = proc.stdout + proc.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in text and "internal error" not in text, text
    return str(text)


@pytest.mark.parametrize("name", ["summary.json", "manifest.json", "run.json"])
def test_a_run_file_that_is_not_utf8_is_one_line_not_a_crash(tmp_path: Path, name: str) -> None:
    reports, run_dir = _run(tmp_path)
    (run_dir / name).write_bytes(b'{"run_id": "\xff"}')
    proc = run_cli("report", "r-1", "--reports", reports, cwd=tmp_path)
    text = _no_crash(proc)
    if name == "run.json":  # the runner's scratch state: reports do not need it
        assert proc.returncode == 0, text
    else:
        assert proc.returncode == 2, text
        assert name in text


def test_results_with_bytes_that_are_not_utf8_are_skipped_like_any_unreadable_line(
    tmp_path: Path,
) -> None:
    reports, run_dir = _run(tmp_path)
    with (run_dir / "results.jsonl").open("ab") as handle:
        handle.write(b'{"case_id": "\xff\xfe"}\n')
    proc = run_cli("report", "r-1", "--reports", reports, cwd=tmp_path)
    _no_crash(proc)
    assert proc.returncode == 0, proc.stderr
    # A line added after the run makes the file another than the manifest's: no verdict
    # (tests/compare/test_compare_changed_results.py), said in one line, not a crash.
    proc = run_cli("compare", "r-1", "r-1", "--reports", reports, cwd=tmp_path)
    _no_crash(proc)
    assert proc.returncode == 3 and "manifest.json" in proc.stderr, proc.stderr


@pytest.mark.parametrize("results", [5, "results.jsonl", [1], {"path": 7}])
def test_a_manifest_whose_results_entry_has_the_wrong_shape_is_one_line(
    tmp_path: Path, results: object
) -> None:
    reports, run_dir = _run(tmp_path)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["results"] = results
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    for args in (("report", "r-1"), ("compare", "r-1", "r-1")):
        proc = run_cli(*args, "--reports", reports, cwd=tmp_path)
        text = _no_crash(proc)
        assert proc.returncode == 2, text
        assert "manifest.json" in text and "results" in text


@pytest.mark.parametrize("path", ["../../outside.jsonl", "/etc/hostname"])
def test_a_manifest_whose_results_path_leaves_the_run_folder_is_refused(
    tmp_path: Path, path: str
) -> None:
    """Was: read wherever it pointed (lines that were not JSON skipped), so an edited manifest
    could have a report show rows from outside the run."""
    reports, run_dir = _run(tmp_path)
    (tmp_path / "outside.jsonl").write_text('{"case_id": "planted", "sample": 0}\n')
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["results"]["path"] = path
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    proc = run_cli("report", "r-1", "--reports", reports, cwd=tmp_path)
    text = _no_crash(proc)
    assert proc.returncode == 2, text
    assert "manifest.json" in text and "outside the run folder" in text
