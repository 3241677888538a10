"""``assurance run --resume ID --retry-errors``: a run that failed on its error rate (a transient
outage) is completed by re-sending exactly its errored requests, not by a whole new run.

Observed before: such a run (a callable target raising ConnectionError for every third case)
ended ``run_failed``, and ``--resume`` of it only said "already complete": the only way forward
was a new run of every request. The journal stays append-only: the error records stay, the
retried answers come after them, and the run is scored from each request's latest record.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

from ..testing.cli import run_cli

N_CASES = 30
ERRORED = {f"c{i:03d}" for i in range(N_CASES) if i % 3 == 1}
"""Every third case fails while the target is broken: 10 of 30, above the default 10%."""

TARGET_MODULE = """\
import time
from pathlib import Path

HERE = Path(__file__).parent


def reply(messages, case_id):
    with (HERE / "calls.txt").open("a") as log:
        log.write(case_id + "\\n")
    if (HERE / "SLOW").exists():
        time.sleep(0.05)
    if (HERE / "BROKEN").exists() and int(case_id[1:]) % 3 == 1:
        raise ConnectionError("connection reset by peer")
    return "ok " + messages[-1]["content"]
"""


def project(tmp: Path, *, max_error_rate: float | None = None, evidence: bool = False) -> Path:
    """``tmp`` with a 30-case suite ``s.yaml`` and a callable target ``t.yaml`` that fails every
    third case while the file ``BROKEN`` exists and logs every call to ``calls.txt``."""
    (tmp / "flaky_target.py").write_text(TARGET_MODULE)
    (tmp / "t.yaml").write_text("type: callable\nfunction: flaky_target:reply\npython_path: [.]\n")
    (tmp / "cases.jsonl").write_text(
        "".join(f'{{"id": "c{i:03d}", "prompt": "question {i}"}}\n' for i in range(N_CASES))
    )
    (tmp / "s.yaml").write_text(
        "suite: er\ndataset: {path: cases.jsonl}\n"
        + (f"max_error_rate: {max_error_rate}\n" if max_error_rate is not None else "")
        + ("evidence_for: [R-001]\n" if evidence else "")
        + "scorers:\n  - {id: len, use: length}\n"
        "metrics:\n  - {id: words, mean: len.words}\n"
        "gates:\n  - {metric: words, min: 1}\n"
    )
    (tmp / "BROKEN").touch()
    return tmp


def assurance(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=tmp, timeout=120, env={"COLUMNS": "300"})


RUN = ("run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report")


def only_run(tmp: Path) -> Path:
    (run_dir,) = [p for p in (tmp / "r").iterdir() if p.is_dir()]
    return run_dir


def calls(tmp: Path) -> Counter[str]:
    return Counter((tmp / "calls.txt").read_text().split())


def test_retry_errors_completes_a_run_that_failed_on_its_error_rate(tmp_path: Path) -> None:
    tmp = project(tmp_path)
    first = assurance(tmp, *RUN)
    assert first.returncode == 3, first.stderr
    run_dir = only_run(tmp)
    run_id = run_dir.name
    assert "status run_failed" in first.stdout
    # The way on is printed, naming the flag and how many requests it re-sends.
    assert "retry its 10 errored requests with: assurance run" in first.stdout
    assert f"--resume {run_id} --retry-errors" in first.stdout
    journal_before = (run_dir / "responses.jsonl").read_bytes()

    (tmp / "BROKEN").unlink()  # the outage is over
    plain = assurance(tmp, *RUN, "--resume", run_id)
    assert plain.returncode == 3, plain.stderr
    assert "already complete" in plain.stdout
    assert "--retry-errors" in plain.stdout  # the note points at the flag
    assert (run_dir / "responses.jsonl").read_bytes() == journal_before

    retried = assurance(tmp, *RUN, "--resume", run_id, "--retry-errors")
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert "Traceback" not in retried.stderr
    assert "retried 10 errored requests: 10 answered, 0 errors" in retried.stdout
    assert "status passed" in retried.stdout

    # Exactly the errored requests went out again, once each.
    sent = calls(tmp)
    assert {case for case, n in sent.items() if n == 2} == ERRORED
    assert set(sent.values()) == {1, 2}

    # Append-only: the earlier records (errors included) stay, byte for byte.
    journal = (run_dir / "responses.jsonl").read_bytes()
    assert journal.startswith(journal_before)
    added = [json.loads(line) for line in journal[len(journal_before) :].splitlines()]
    assert sorted(r["case_id"] for r in added) == sorted(ERRORED)
    assert all(r["error"] is None for r in added)

    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "passed" and summary["exit_code"] == 0
    assert summary["counts"]["errors"] == 0 and summary["counts"]["requests"] == N_CASES
    (retry,) = summary["retries"]
    assert (retry["requests"], retry["answered"], retry["errors"]) == (10, 10, 0)
    assert retry["started_at"] <= retry["finished_at"]
    state = json.loads((run_dir / "run.json").read_text())
    assert state["status"] == "passed" and state["retries"] == summary["retries"]
    results = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    assert len(results) == N_CASES and all(row["error"] is None for row in results)
    with sqlite3.connect(tmp / "r" / "runs.db") as db:
        status, errors = db.execute(
            "SELECT status, n_errors FROM runs WHERE run_id = ?", (run_id,)
        ).fetchone()
    assert (status, errors) == ("passed", 0)

    # Nothing left to retry: said so, and nothing changes.
    frozen = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    again = assurance(tmp, *RUN, "--resume", run_id, "--retry-errors")
    assert again.returncode == 0, again.stderr
    assert "no errored requests to retry" in again.stdout
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == frozen
    assert calls(tmp) == sent


def test_retry_errors_needs_resume(tmp_path: Path) -> None:
    tmp = project(tmp_path)
    result = assurance(tmp, *RUN, "--retry-errors")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--retry-errors" in lines[0] and "--resume" in lines[0]
    assert not (tmp / "calls.txt").exists()  # nothing was sent
