"""``assurance report`` of a run whose summary.json was edited by hand after the run (a gate's
verdict, a metric's value, a count, the status). Observed: the report was written without a
word (exit 0), the edited verdict and figures shown as the run's own in every format. The
manifest records summary.json's SHA-256; every format now says the file is not the one the
run wrote, as it says of a results.jsonl changed since the run, and the command warns on
stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs
from tests.testing.summary_edits import SUMMARY_EDITS, edit_summary


def _finished_run(root: Path) -> Path:
    (run_dir,) = echo_runs(root, "summary-edit")
    return run_dir


@pytest.mark.parametrize("how", list(SUMMARY_EDITS))
def test_a_report_of_a_run_whose_summary_was_edited_says_so_in_every_format(
    tmp_path: Path, how: str
) -> None:
    run_dir = _finished_run(tmp_path)
    summary = edit_summary(run_dir, how)

    out = tmp_path / "out"
    done = run_cli("report", run_dir, "-o", out, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1, done.stderr
    assert str(summary) in warnings[0] and "manifest.json" in warnings[0], warnings
    for name in ("report.md", "report.html", "junit.xml"):
        text = (out / name).read_text(encoding="utf-8")
        assert "summary.json: does not match the SHA-256 in its manifest.json" in text, name
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert "manifest.json" in document["summary_changed"], document.keys()


def test_a_report_of_an_untouched_run_has_no_such_note(tmp_path: Path) -> None:
    run_dir = _finished_run(tmp_path)
    out = tmp_path / "out"
    done = run_cli("report", run_dir, "-o", out, cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert "summary_changed" not in document
    assert "does not match the SHA-256" not in (out / "report.md").read_text(encoding="utf-8")
