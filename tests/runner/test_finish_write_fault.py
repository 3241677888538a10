"""A file of the run's finish that cannot be written (results.jsonl past the process's file size
limit, ``RLIMIT_FSIZE``: a real fault, for root too) is exit 3 naming that file, with the
command that finishes the run: it named the reports folder, since a write to an open file names
no file. ``--resume`` then finishes it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.testing.cli import run_cli

LIMIT = 900_000
"""Bytes any one file of the process may hold: more than the journal of these answers and the
cases, less than their results (each row holds its case, its answer and its scores)."""
CASES = 2000


def _project(folder: Path) -> None:
    with (
        (folder / "cases.jsonl").open("w", encoding="utf-8") as cases,
        (folder / "recorded.jsonl").open("w", encoding="utf-8") as recorded,
    ):
        for i in range(CASES):
            prompt = f"Question {i}: what is {i % 97} plus {i % 13}?"
            cases.write(json.dumps({"id": f"c{i}", "prompt": prompt}) + "\n")
            answer = f"The answer is {i % 97 + i % 13}. " + " ".join(["word"] * (5 + i % 40))
            recorded.write(json.dumps({"id": f"c{i}", "prompt": prompt, "response": answer}) + "\n")
    (folder / "run.yaml").write_text(
        "suite: finish-fault\ndataset: {path: cases.jsonl, fields: {id: id, prompt: prompt}}\n"
        "scorers:\n  - {id: num, use: regex, with: {pattern: '\\d+'}}\n"
        "  - {id: len, use: length}\n"
        "metrics:\n  - {id: has_number, rate: num.matched}\n",
        encoding="utf-8",
    )
    (folder / "replay.yaml").write_text("type: replay\npath: recorded.jsonl\n", encoding="utf-8")


RUN = ("run", "run.yaml", "--target", "replay.yaml", "--reports", "r", "--no-report")


def test_results_past_the_file_size_limit_are_named_and_resume_finishes(tmp_path: Path) -> None:
    _project(tmp_path)
    failed = run_cli(*RUN, cwd=tmp_path, timeout=120, file_size_limit=LIMIT)
    assert failed.returncode == 3, failed.stderr
    assert "Traceback" not in failed.stderr and "internal error" not in failed.stderr
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2, failed.stderr  # what failed, then the way on
    found = re.search(r"--resume (\S+)", errors[1])
    assert found, failed.stderr
    run_id = found.group(1)
    assert errors[0] == f"error: cannot write r/{run_id}/results.jsonl: File too large", errors

    resumed = run_cli(*RUN, "--resume", run_id, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "r" / run_id / "summary.json").is_file()
