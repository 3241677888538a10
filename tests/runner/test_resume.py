"""A run killed with SIGKILL part-way resumes without re-sending what was done, and ends with
the same per-case results as a run that was never interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ..testing.cli import cli_command
from ..testing.openai_stub import ThreadedServer, echo_handler, prompts_seen
from ..testing.signals import default_sigint

N_CASES = 60
VOLATILE = {"latency_s", "attempts", "cached"}
QUIET = ("--no-report", "--no-evidence")


def _suite(tmp: Path) -> Path:
    cases = "".join(f'{{"id": "c{i:03d}", "prompt": "question {i}"}}\n' for i in range(N_CASES))
    (tmp / "cases.jsonl").write_text(cases)
    suite = tmp / "suite.yaml"
    suite.write_text(
        "suite: resume-check\ndataset: {path: cases.jsonl}\n"
        "scorers:\n  - {id: len, use: length}\n"
        "  - {id: echo, use: regex, with: {pattern: '^echo'}}\n"
        "metrics:\n  - {id: echoed, rate: echo.matched}\n  - {id: words, mean: len.words}\n"
        "gates:\n  - {metric: echoed, min: 0.99}\n"
    )
    return suite


def _target(tmp: Path, server: ThreadedServer) -> Path:
    path = tmp / "target.yaml"
    path.write_text(
        f"type: openai\nbase_url: {server.base_url}\nmodel: loopback\nconcurrency: 2\n"
        "timeout_s: 10\n"
    )
    return path


def _run_args(suite: Path, target: Path, reports: Path, *extra: str) -> list[str]:
    return cli_command("run", suite, "--target", target, "--reports", reports, *extra)


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def _start_and_wait(args: list[str], reports: Path, lines: int) -> tuple[subprocess.Popen, Path]:
    """Start a run in the background and return once its journal holds ``lines`` responses."""
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = list(reports.glob("*/responses.jsonl"))
        if found and len(found[0].read_text().splitlines()) >= lines:
            return proc, found[0]
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("the run never got going")


def _rows(run_dir: Path) -> list[dict]:
    rows = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows]


def test_sigkill_then_resume_matches_uninterrupted_run(tmp_path: Path) -> None:
    suite = _suite(tmp_path)
    with ThreadedServer(echo_handler(lambda body: 0.05)) as server:
        target = _target(tmp_path, server)
        reports = tmp_path / "interrupted"
        args = _run_args(suite, target, reports, "--no-cache", *QUIET)
        proc, journal = _start_and_wait(args, reports, lines=15)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        done_before = {
            json.loads(line)["case_id"]
            for line in journal.read_text().splitlines()
            if line.endswith("}")
        }
        assert 15 <= len(done_before) < N_CASES
        run_id = journal.parent.name
        assert not (journal.parent / "results.jsonl").exists()

        resumed = _run([*args, "--resume", run_id])
        assert resumed.returncode == 0, resumed.stderr
        for case_id in done_before:
            prompt = f"question {int(case_id[1:])}"
            assert prompts_seen(server.seen)[prompt] == 1, f"{case_id} was sent again after resume"
        # Only requests in flight at the kill can have been sent twice.
        assert sum(prompts_seen(server.seen).values()) <= N_CASES + 2

        fresh = tmp_path / "fresh"
        clean = _run(_run_args(suite, target, fresh, "--no-cache", *QUIET))
        assert clean.returncode == 0, clean.stderr

    fresh_dir = next(p for p in fresh.iterdir() if p.is_dir())
    assert _rows(journal.parent) == _rows(fresh_dir)
    resumed_summary = json.loads((journal.parent / "summary.json").read_text())
    fresh_summary = json.loads((fresh_dir / "summary.json").read_text())
    assert resumed_summary["metrics"] == fresh_summary["metrics"]
    assert resumed_summary["counts"]["requests"] == N_CASES


def test_resume_refuses_a_changed_suite(tmp_path: Path) -> None:
    suite = _suite(tmp_path)
    with ThreadedServer() as server:
        target = _target(tmp_path, server)
        reports = tmp_path / "r"
        first = _run(_run_args(suite, target, reports, *QUIET))
        assert first.returncode == 0, first.stderr
        run_id = next(p for p in reports.iterdir() if p.is_dir()).name
        suite.write_text(suite.read_text().replace("min: 0.99", "min: 0.5"))
        again = _run(_run_args(suite, target, reports, "--resume", run_id))
    assert again.returncode == 2
    assert "different version" in again.stderr and "Traceback" not in again.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_saves_progress_and_prints_the_resume_command(
    tmp_path: Path, signum: signal.Signals
) -> None:
    # SIGTERM is what CI, `timeout` and `docker stop` send: the same as Ctrl-C, not a silent
    # exit 143.
    suite = _suite(tmp_path)
    with ThreadedServer(echo_handler(lambda body: 0.05)) as server:
        target = _target(tmp_path, server)
        reports = tmp_path / "r"
        proc, journal = _start_and_wait(
            _run_args(suite, target, reports, "--no-cache", *QUIET), reports, lines=10
        )
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 130, stderr
        assert "Traceback" not in stderr
        run_id = journal.parent.name
        assert f"--resume {run_id}" in stderr
        resume = stderr.split("continue with: ", 1)[1].split()
        assert resume[:2] == ["assurance", "run"]
        # The printed command keeps the interrupted run's options.
        assert {"--no-cache", "--no-report", "--no-evidence"} <= set(resume)
        done = _run(cli_command(*resume[1:]))
        assert done.returncode == 0, done.stderr
    assert len((journal.parent / "results.jsonl").read_text().splitlines()) == N_CASES
