"""``assurance run --resume ID --retry-errors``: a run that failed on its error rate (a transient
outage) is completed by re-sending exactly its errored requests, not by a whole new run.

Observed before: such a run (a callable target raising ConnectionError for every third case)
ended ``run_failed``, and ``--resume`` of it only said "already complete": the only way forward
was a new run of every request. The journal stays append-only: the error records stay, the
retried answers come after them, and the run is scored from each request's latest record.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from ..testing.cli import invoke_in_process, run_cli, start_cli

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
    if (HERE / "UNANSWERABLE").exists() and int(case_id[1:]) % 3 == 1:
        return 42  # a bad_response, the same for each: no retry fixes it
    return "ok " + messages[-1]["content"]
"""


def project(
    tmp: Path,
    *,
    max_error_rate: float | None = None,
    evidence: bool = False,
    concurrency: int | None = None,
) -> Path:
    """``tmp`` with a 30-case suite ``s.yaml`` and a callable target ``t.yaml`` that fails every
    third case while the file ``BROKEN`` exists and logs every call to ``calls.txt``. The
    target's module is named after the folder: runs in this process import it once per name."""
    module = f"flaky_{tmp.name.replace('-', '_')}"
    (tmp / f"{module}.py").write_text(TARGET_MODULE)
    (tmp / "t.yaml").write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: [.]\n"
        + (f"concurrency: {concurrency}\n" if concurrency else "")
    )
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
    """``assurance ARGS`` in a real subprocess (what a kill or a signal needs)."""
    return run_cli(*args, cwd=tmp, timeout=120, env={"COLUMNS": "300"})


Invoke = Callable[..., SimpleNamespace]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """``assurance ARGS`` in this process, in the project folder (a tenth of a subprocess's
    time); ``.returncode`` and ``.stdout`` (stdout and stderr together) as ``assurance`` gives."""
    monkeypatch.setenv("COLUMNS", "300")

    def invoke(tmp: Path, *args: str) -> SimpleNamespace:
        monkeypatch.chdir(tmp)
        result = invoke_in_process(list(args))
        return SimpleNamespace(returncode=result.exit_code, stdout=result.output)

    return invoke


RUN = ("run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report")


def only_run(tmp: Path) -> Path:
    (run_dir,) = [p.parent for p in (tmp / "r").glob("*/run.json")]
    return run_dir


def calls(tmp: Path) -> Counter[str]:
    return Counter((tmp / "calls.txt").read_text().split())


def test_retry_errors_completes_a_run_that_failed_on_its_error_rate(
    tmp_path: Path, cli: Invoke
) -> None:
    tmp = project(tmp_path)
    first = cli(tmp, *RUN)
    assert first.returncode == 3, first.stdout
    run_dir = only_run(tmp)
    run_id = run_dir.name
    assert "status run_failed" in first.stdout
    # The way on is printed, naming the flag and how many requests it re-sends.
    assert "retry its 10 errored requests with: assurance run" in first.stdout
    assert f"--resume {run_id} --retry-errors" in first.stdout
    journal_before = (run_dir / "responses.jsonl").read_bytes()

    (tmp / "BROKEN").unlink()  # the outage is over
    plain = cli(tmp, *RUN, "--resume", run_id)
    assert plain.returncode == 3, plain.stdout
    assert "already complete" in plain.stdout
    assert "--retry-errors" in plain.stdout  # the note points at the flag
    assert (run_dir / "responses.jsonl").read_bytes() == journal_before

    retried = cli(tmp, *RUN, "--resume", run_id, "--retry-errors")
    assert retried.returncode == 0, retried.stdout
    assert "Traceback" not in retried.stdout
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
    again = cli(tmp, *RUN, "--resume", run_id, "--retry-errors")
    assert again.returncode == 0, again.stdout
    assert "no errored requests to retry" in again.stdout
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == frozen
    assert calls(tmp) == sent


def test_retry_errors_needs_resume(tmp_path: Path) -> None:
    tmp = project(tmp_path)
    result = assurance(tmp, *RUN, "--retry-errors")  # a subprocess: stderr alone
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--retry-errors" in lines[0] and "--resume" in lines[0]
    assert not (tmp / "calls.txt").exists()  # nothing was sent


def wait_for_lines(journal: Path, lines: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.read_bytes().count(b"\n") >= lines:
            return
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    proc.kill()
    raise AssertionError(f"the retry never got going: {proc.communicate()}")


@pytest.mark.parametrize(
    ("signum", "again"),
    [(signal.SIGKILL, ()), (signal.SIGINT, ("--retry-errors",))],
    ids=["kill-9-then-resume", "ctrl-c-then-retry-errors"],
)
def test_an_interrupted_retry_is_completed_by_resuming_it(
    tmp_path: Path, cli: Invoke, signum: signal.Signals, again: tuple[str, ...]
) -> None:
    # One request at a time, slowly, so the retry is cut off part-way.
    tmp = project(tmp_path, concurrency=1)
    assert cli(tmp, *RUN).returncode == 3
    run_dir = only_run(tmp)
    run_id = run_dir.name
    journal = run_dir / "responses.jsonl"
    journal_before = journal.read_bytes()
    (tmp / "BROKEN").unlink()
    (tmp / "SLOW").write_text("")
    (tmp / "calls.txt").unlink()

    proc = start_cli(*RUN, "--resume", run_id, "--retry-errors", cwd=tmp)
    wait_for_lines(journal, N_CASES + 3, proc)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    assert "Traceback" not in stderr
    if signum == signal.SIGINT:
        assert proc.returncode == 130, stderr
        assert f"--resume {run_id}" in stderr
    else:
        assert proc.returncode == -signal.SIGKILL

    # Readers meet an unfinished run, not the old figures that would look final.
    state = json.loads((run_dir / "run.json").read_text())
    assert state["status"] == "running" and state["retries"][0]["finished_at"] is None
    assert not (run_dir / "summary.json").exists() and not (run_dir / "manifest.json").exists()
    report = cli(tmp, "report", run_id, "--reports", "r")
    assert report.returncode == 2 and "has not finished" in report.stdout
    attach = cli(tmp, "evidence", "attach", run_id, "--reports", "r")
    assert attach.returncode == 2 and "has not finished" in attach.stdout
    with sqlite3.connect(tmp / "r" / "runs.db") as db:
        (status,) = db.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    assert status == "running"

    answered_before_stop = {
        json.loads(line)["case_id"]
        for line in journal.read_bytes()[len(journal_before) :].splitlines()
    }
    (tmp / "SLOW").unlink()
    done = cli(tmp, *RUN, "--resume", run_id, *again)
    assert done.returncode == 0, done.stdout
    assert "retried 10 errored requests: 10 answered, 0 errors" in done.stdout

    # Nothing was sent twice but a request in flight when the retry stopped (its answer never
    # reached the journal); what was answered before the stop was not sent again.
    sent = calls(tmp)
    assert set(sent) == ERRORED
    assert all(sent[case] == 1 for case in answered_before_stop)
    assert sum(sent.values()) <= len(ERRORED) + 1
    assert journal.read_bytes().startswith(journal_before)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "passed" and summary["counts"]["errors"] == 0
    (retry,) = summary["retries"]  # one retry, completed: not a second one
    assert (retry["requests"], retry["answered"], retry["errors"]) == (10, 10, 0)


def test_a_run_attached_as_evidence_is_not_retried(tmp_path: Path, cli: Invoke) -> None:
    # 10 errors of 30 within the suite's 50%: the run passes and its gates become evidence.
    tmp = project(tmp_path, max_error_rate=0.5, evidence=True)
    first = cli(tmp, *RUN)
    assert first.returncode == 0, first.stdout
    ledger = tmp / "r" / "evidence" / "ledger.jsonl"
    assert ledger.read_text().count("\n") == 1
    run_dir = only_run(tmp)
    frozen = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    ledger_before = ledger.read_bytes()
    (tmp / "BROKEN").unlink()

    refused = cli(tmp, *RUN, "--resume", run_dir.name, "--retry-errors")
    assert refused.returncode == 2, refused.stdout
    lines = [line for line in refused.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert f"run {run_dir.name} is evidence" in lines[0]
    assert "start a new run instead: assurance run s.yaml --target t.yaml" in lines[0]
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == frozen
    assert ledger.read_bytes() == ledger_before
    assert sum(calls(tmp).values()) == N_CASES  # nothing was sent again
    assert cli(tmp, "evidence", "verify", "--reports", "r").returncode == 0


def test_an_accepted_baseline_is_not_retried(tmp_path: Path, cli: Invoke) -> None:
    # Comparisons are made against the baseline's figures as they were accepted: a retry would
    # change them under every later comparison without anyone accepting the new ones.
    tmp = project(tmp_path, max_error_rate=0.5)
    assert cli(tmp, *RUN, "--no-evidence").returncode == 0
    run_dir = only_run(tmp)
    accepted = cli(tmp, "baseline", "set", run_dir.name, "--reports", "r")
    assert accepted.returncode == 0, accepted.stdout
    frozen = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    (tmp / "BROKEN").unlink()

    refused = cli(tmp, *RUN, "--no-evidence", "--resume", run_dir.name, "--retry-errors")
    assert refused.returncode == 2, refused.stdout
    lines = [line for line in refused.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and "baseline" in lines[0], lines
    assert "start a new run instead" in lines[0]
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == frozen
    assert sum(calls(tmp).values()) == N_CASES


def test_a_retry_the_target_cannot_answer_leaves_the_run_recorded_not_stuck(
    tmp_path: Path, cli: Invoke
) -> None:
    # The retry's first requests fail the same way no retry fixes (the probe that guards every
    # send stops it). Before, the run was left unfinished, its summary withdrawn, and every
    # resume stopped the same way: a finished run made unfinishable.
    tmp = project(tmp_path)
    assert cli(tmp, *RUN).returncode == 3
    run_dir = only_run(tmp)
    run_id = run_dir.name
    journal_before = (run_dir / "responses.jsonl").read_bytes()
    (tmp / "BROKEN").unlink()
    (tmp / "UNANSWERABLE").touch()

    stopped = cli(tmp, *RUN, "--resume", run_id, "--retry-errors")
    assert stopped.returncode == 3, stopped.stdout
    assert "Traceback" not in stopped.stdout
    assert "retry of 10 errored requests stopped" in stopped.stdout
    assert "10 not sent again" in stopped.stdout
    assert "status run_failed" in stopped.stdout
    assert f"--resume {run_id} --retry-errors" in stopped.stdout  # the way on, once fixed
    assert (run_dir / "responses.jsonl").read_bytes() == journal_before
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "run_failed" and summary["counts"]["errors"] == 10
    (retry,) = summary["retries"]
    assert (retry["answered"], retry["errors"]) == (0, 0)
    assert "failed the same way" in retry["stopped"]
    assert json.loads((run_dir / "run.json").read_text())["status"] == "run_failed"

    # Once the target answers, a retry completes the run.
    (tmp / "UNANSWERABLE").unlink()
    done = cli(tmp, *RUN, "--resume", run_id, "--retry-errors")
    assert done.returncode == 0, done.stdout
    assert "retried 10 errored requests: 10 answered, 0 errors" in done.stdout
    assert len(json.loads((run_dir / "summary.json").read_text())["retries"]) == 2


def test_a_retry_needs_the_cases_the_run_was_made_of(tmp_path: Path, cli: Invoke) -> None:
    # The same check as any resume: the answers must be to the prompts the run's other records
    # answered, or the figures would mix two datasets under one manifest.
    tmp = project(tmp_path)
    assert cli(tmp, *RUN).returncode == 3
    run_dir = only_run(tmp)
    frozen = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    (tmp / "BROKEN").unlink()
    cases = tmp / "cases.jsonl"
    cases.write_text(cases.read_text().replace('question 1"', 'question one"'))

    refused = cli(tmp, *RUN, "--resume", run_dir.name, "--retry-errors")
    assert refused.returncode == 2, refused.stdout
    assert "began with other cases" in refused.stdout
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == frozen
    assert sum(calls(tmp).values()) == N_CASES


def test_the_way_on_is_offered_only_where_a_retry_is_possible() -> None:
    # A run stored redacted cannot be retried (its journal no longer holds what was sent): the
    # failed run must not print a command that is then refused.
    from assurance_harness.runner.retryerrors import retry_hint

    failed = {"status": "run_failed", "counts": {"errors": 10}}
    assert "retry its 10 errored requests with: CMD" in (retry_hint(failed, "CMD") or "")
    assert retry_hint({**failed, "privacy": {"redacted_inputs": {}}}, "CMD") is None
    assert retry_hint({**failed, "status": "passed"}, "CMD") is None
