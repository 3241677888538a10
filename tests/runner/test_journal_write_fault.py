"""A journal that cannot be written ends the run with exit 3 and the way on, and ``--resume``
completes it: a real write failure (the process's file size limit, ``RLIMIT_FSIZE``, which holds
for root too: writes past it fail with EFBIG), hit part-way through the answers.

Records longer than the journal's buffer fail as they are written; shorter ones fail when the
buffer is flushed, and the buffer then still held them: closing the journal to say how to
resume failed again, and the run ended with "cannot read or write a file: File too large",
no file named and no resume command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

JOURNAL_LIMIT = 2_000_000
"""Bytes any one file of the process may hold: the journal's records go past it; the run's
other files (cases, run.json, runs.db, the spill files: 256 kB extents) stay under it."""
LONG = (60, "word " * 12_000)  # 60 kB records: written past the buffer, failing at the write
SHORT = (1500, "word " * 400)  # 2 kB records: failing when the buffer is flushed


@pytest.fixture(params=[LONG, SHORT], ids=["long-records", "short-records"])
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    cases, answer = request.param
    (tmp_path / "long_answers.py").write_text(
        f"def reply(messages):\n    return {answer!r} + messages[-1]['content']\n",
        encoding="utf-8",
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: long_answers:reply\npython_path: [.]\nconcurrency: 4\n",
        encoding="utf-8",
    )
    (tmp_path / "count").write_text(str(cases), encoding="utf-8")
    listed = "".join(f"  - {{id: c{i}, prompt: 'question {i}'}}\n" for i in range(cases))
    (tmp_path / "s.yaml").write_text(
        "suite: journal-fault\ncases:\n"
        + listed
        + "scorers: [{id: m, use: regex, with: {pattern: question}}]\n"
        "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n",
        encoding="utf-8",
    )
    return tmp_path


RUN = ("run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report", "--no-cache")


def test_a_journal_write_failure_is_exit_3_and_resume_completes_the_run(project: Path) -> None:
    cases = int((project / "count").read_text())
    failed = run_cli(*RUN, "--no-evidence", cwd=project, timeout=120, file_size_limit=JOURNAL_LIMIT)
    assert failed.returncode == 3, failed.stderr
    assert "Traceback" not in failed.stderr
    assert "File too large" in failed.stderr, failed.stderr
    assert "responses.jsonl" in failed.stderr  # the file named
    found = re.search(r"--resume (\S+)", failed.stderr)
    assert found, failed.stderr
    run_id = found.group(1)
    journal = project / "r" / run_id / "responses.jsonl"
    kept = journal.read_bytes()
    assert 0 < len(kept) <= JOURNAL_LIMIT
    assert 0 < kept.count(b"\n") < cases  # stopped part-way, what was written kept

    resumed = run_cli(*RUN, "--resume", run_id, cwd=project)
    assert resumed.returncode == 0, resumed.stderr
    rows = [json.loads(line) for line in (project / "r" / run_id / "results.jsonl").open()]
    assert sorted(row["case_id"] for row in rows) == sorted(f"c{i}" for i in range(cases))
    answer = LONG[1] if cases == LONG[0] else SHORT[1]
    assert all(row["response"] == answer + row["prompt"] for row in rows)
    summary = json.loads((project / "r" / run_id / "summary.json").read_text())
    assert summary["status"] == "passed"
