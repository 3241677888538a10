"""``review status`` measures a run again over its rows with the reviews in. Observed on a
results.jsonl changed after the run: a line that is a JSON object but no result row
(``{"x": 1}``) was read as a row and crashed the measurement (internal error, KeyError
'error'); a file cut short at a line boundary was measured as it stood, so the gates shown
"with the reviews" were figures over rows the run never had as its whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

from .reviewkit import make_project


@pytest.mark.parametrize("line", ['{"x": 1}', '{"case_id": "c9"}', '{"case_id": "c9", "x": 1}'])
def test_a_line_of_another_shape_is_skipped_and_named_not_a_crash(
    tmp_path: Path, line: str
) -> None:
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    results = project.reports / run_id / "results.jsonl"
    manifest = results.with_name("manifest.json")
    manifest.write_text(manifest.read_text().replace('"sha256"', '"sha256_was"'))  # no hash
    project.ledger.unlink()  # nor the ledger's: a run with one is refused as edited since
    with results.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")

    done = run_cli("review", "status", run_id, "--reports", project.reports, timeout=60)
    text = done.stdout + done.stderr
    assert "internal error" not in text and "Traceback" not in text, text
    assert done.returncode in (0, 1), text
    assert "1 line(s) skipped" in text and "line 6" in text, text


def test_a_run_whose_results_were_cut_short_is_not_measured_again(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    results = project.reports / run_id / "results.jsonl"
    lines = results.read_text(encoding="utf-8").splitlines(keepends=True)
    results.write_text("".join(lines[:2]), encoding="utf-8")

    done = run_cli("review", "status", run_id, "--reports", project.reports, timeout=60)
    assert done.returncode == 3, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(results) in lines[0], done.stderr
    assert "manifest.json" in lines[0] and "internal error" not in lines[0], done.stderr


@pytest.mark.parametrize("queue", ['"x"', "[1]", '[{"reasons": ["flag"]}]'])
def test_register_status_over_a_review_queue_of_the_wrong_shape_is_no_crash(
    tmp_path: Path, queue: str
) -> None:
    """Observed: 'register status', 'register show' and 'evidence pack' read the review queue
    of every run in the ledger straight from summary.json; a queue edited into a string
    crashed them (internal error, AttributeError)."""
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    summary = project.reports / run_id / "summary.json"
    data = json.loads(summary.read_text(encoding="utf-8"))
    data["review"]["queue"] = json.loads(queue)
    summary.write_text(json.dumps(data), encoding="utf-8")

    for args in (("register", "status"), ("register", "show", "R-001")):
        done = run_cli(
            *args, "--register", project.register, "--reports", project.reports, timeout=60
        )
        text = done.stdout + done.stderr
        assert "internal error" not in text and "Traceback" not in text, text
        assert done.returncode in (0, 1, 2), text
