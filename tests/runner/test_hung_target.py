"""A target that accepts connections but never answers stops the run once requests in a row
time out, instead of sending and retrying every request (16 hours for 2,000 cases at the
defaults) to end with exit 3 anyway. Real servers on 127.0.0.1; timeout_s 0.2 s, no retries."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path

from aiohttp import web

from assurance_harness.datatypes import GenerationRequest, GenerationResponse, ResponseRecord
from assurance_harness.runner.executor import STREAK_LIMIT, execute
from assurance_harness.targets.base import (
    RetryPolicy,
    Target,
    TargetConnectionError,
    TargetSpec,
    TargetTimeoutError,
)

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response
from .test_executor import requests_for

CASES = 60
CONCURRENCY = 2
TIMEOUT_S = 0.2


def _project(tmp: Path, base_url: str) -> None:
    cases = "".join(f"  - {{id: c{i}, prompt: 'question {i}'}}\n" for i in range(CASES))
    (tmp / "suite.yaml").write_text(
        f"suite: hung\nmax_error_rate: 0.5\ncases:\n{cases}"
        "metrics:\n  - {id: failed, rate: error}\n"
    )
    (tmp / "target.yaml").write_text(
        f"type: openai\nbase_url: {base_url}\nmodel: m\nconcurrency: {CONCURRENCY}\n"
        f"timeout_s: {TIMEOUT_S}\nretry: {{max_attempts: 1}}\n"
    )


def _run(tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "run", "suite.yaml", "--target", "target.yaml", "--reports", "reports",
        "--no-report", "--no-evidence", "--no-cache", *extra,
        cwd=tmp, timeout=60, env={"COLUMNS": "200"},
    )  # fmt: skip


class Endpoint:
    """Answers ``echo <prompt>``, except that the prompts ``hangs(number)`` picks are read and
    never answered (the connection stays open until the client closes it): a hung server."""

    def __init__(self, hangs: object) -> None:
        self.hangs = hangs
        self.answered: list[str] = []

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        prompt = (await request.json())["messages"][-1]["content"]
        if callable(self.hangs) and self.hangs(int(prompt.split()[-1])):
            while request.transport is not None and not request.transport.is_closing():
                await asyncio.sleep(0.02)  # until the client gives up (or the server stops)
            return web.Response(status=499)
        self.answered.append(prompt)
        return json_response(completion(f"echo {prompt}"))


def _stop_line(proc: subprocess.CompletedProcess[str]) -> str:
    text = proc.stdout + proc.stderr
    assert proc.returncode == 3, text
    assert "Traceback" not in text, text
    return next(line for line in text.splitlines() if "stopped:" in line)


def _run_dir(tmp: Path) -> Path:
    return next(p for p in (tmp / "reports").iterdir() if p.is_dir())


def _stopped_run(tmp: Path, endpoint: Endpoint, server: ThreadedServer) -> str:
    """Run against the hung endpoint; check it stopped fast, bounded and unjournalled; return
    the resume command it printed."""
    _project(tmp, server.base_url)
    started = time.monotonic()
    proc = _run(tmp)
    took = time.monotonic() - started
    line = _stop_line(proc)
    assert f"in a row got no answer within timeout_s ({TIMEOUT_S:g} s)" in line, line
    assert "not answering, or is slower than timeout_s" in line, line
    text = proc.stdout + proc.stderr
    assert "raise timeout_s in target.yaml" in text, text
    assert took < 20, took
    sent = len(server.seen.bodies)
    assert sent <= STREAK_LIMIT + 2 * CONCURRENCY + 1, sent  # not all 60
    journal = _run_dir(tmp) / "responses.jsonl"
    assert not journal.exists() or journal.read_text().strip() == ""  # resume sends them
    resume = next(line for line in text.splitlines() if "--resume" in line)
    return resume.split("continue with: ", 1)[1]


def test_a_hung_endpoint_stops_the_run_after_a_streak_of_timeouts(tmp_path: Path) -> None:
    endpoint = Endpoint(lambda number: True)
    with ThreadedServer(endpoint) as server:
        _stopped_run(tmp_path, endpoint, server)


def test_a_few_scattered_hung_prompts_are_timeout_errors_and_the_run_finishes(
    tmp_path: Path,
) -> None:
    hung = {n for n in range(CASES) if n % 7 == 3}
    endpoint = Endpoint(lambda number: number in hung)
    with ThreadedServer(endpoint) as server:
        _project(tmp_path, server.base_url)
        proc = _run(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [
        json.loads(r) for r in (_run_dir(tmp_path) / "results.jsonl").read_text().split("\n") if r
    ]
    assert len(rows) == CASES
    failed = {r["case_id"] for r in rows if r["error"] is not None}
    assert failed == {f"c{n}" for n in hung}
    assert len(endpoint.answered) == CASES - len(hung)


def test_resume_after_the_endpoint_answers_again_sends_each_case_once(tmp_path: Path) -> None:
    endpoint = Endpoint(lambda number: True)
    with ThreadedServer(endpoint) as server:
        resume = _stopped_run(tmp_path, endpoint, server)
        endpoint.hangs = None  # the server is fixed: it answers every prompt
        again = run_cli(*resume.split()[1:], cwd=tmp_path, timeout=60)
        assert again.returncode == 0, again.stdout + again.stderr
    rows = [
        json.loads(r) for r in (_run_dir(tmp_path) / "results.jsonl").read_text().split("\n") if r
    ]
    assert len(rows) == CASES and all(r["error"] is None for r in rows)
    assert sorted(endpoint.answered) == sorted(f"question {i}" for i in range(CASES))


class Alternating(Target):
    """Times out and drops the connection by turns: two faults, neither a streak of its own."""

    type = "alternating-test"

    def __init__(self) -> None:
        super().__init__(TargetSpec(type="alternating-test"))
        self.calls = 0

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        self.calls += 1
        if self.calls % 2:
            raise TargetTimeoutError("no response within 0.2s")
        raise TargetConnectionError("connection dropped mid-response")


def test_timeouts_and_dropped_connections_by_turns_do_not_stop_the_run() -> None:
    records: list[ResponseRecord] = []
    target = Alternating()
    asyncio.run(
        execute(
            target,
            requests_for(3 * STREAK_LIMIT),
            concurrency=1,
            requests_per_second=None,
            timeout_s=1,
            retry=RetryPolicy(max_attempts=1),
            on_record=records.append,
        )
    )
    assert len(records) == 3 * STREAK_LIMIT
    assert {r.error.type for r in records if r.error} == {"timeout", "connection_error"}
