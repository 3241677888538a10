"""A broken target stops the run within a few requests (exit 3, one-line reason, resume command).

Issue 10 item 4: a wrong port, a base_url without ``/v1`` and a wrong model name each sent every
request with retries (19-29 s for 46 cases) and then printed a table of ``no_data`` gates. Here
each of those is a real server (or no server) on 127.0.0.1.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer
from .faulty_servers import FaultyServer, closed_port, completion

CASES = 40
SUITE = (
    "suite: ff\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'question {i}'}}\n" for i in range(CASES))
    + (
        "scorers:\n  - {id: len, use: length}\n"
        "metrics:\n  - {id: long, rate: 'len.words > 3'}\n"
        "gates:\n  - {metric: long, max: 1.0}\n"
    )
)


def _target(tmp: Path, base_url: str, *, model: str = "served-model", key: bool = False) -> Path:
    path = tmp / "target.yaml"
    path.write_text(
        f"type: openai\nbase_url: {base_url}\nmodel: {model}\nconcurrency: 8\n"
        "retry: {max_attempts: 3, base_delay_s: 0.05, max_delay_s: 0.2}\n"
        + ("api_key_env: FF_TEST_KEY\n" if key else "")
    )
    return path


def _cli(tmp: Path, *args: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"COLUMNS": "200"} | ({"FF_TEST_KEY": key} if key is not None else {})
    return run_cli(*args, cwd=tmp, env=env)


def _run(tmp: Path, *extra: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
    (tmp / "suite.yaml").write_text(SUITE)
    return _cli(
        tmp,
        "run",
        "suite.yaml",
        "--target",
        "target.yaml",
        "--reports",
        "reports",
        "--no-evidence",
        *extra,
        key=key,
    )


def _error_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]


def _assert_stopped(proc: subprocess.CompletedProcess[str], reason: str) -> str:
    assert proc.returncode == 3, proc.stdout + proc.stderr
    lines = _error_lines(proc)
    first = next(line for line in lines if "stopped:" in line)
    assert "the first 3 requests all failed the same way" in first, first
    assert f"the other {CASES - 3} were not sent" in first
    assert reason in first, first
    assert any("--resume" in line for line in lines)
    assert "Traceback" not in proc.stdout + proc.stderr
    return first


def test_connection_refused_stops_the_run(tmp_path: Path) -> None:
    _target(tmp_path, f"http://127.0.0.1:{closed_port()}/v1")
    started = time.monotonic()
    proc = _run(tmp_path)
    first = _assert_stopped(proc, "cannot connect to http://127.0.0.1:")
    assert "is the server running" in first
    assert time.monotonic() - started < 60
    # nothing lost: the run folder and its cases stay, with no failed probe in the journal
    run_dir = next(p for p in (tmp_path / "reports").iterdir() if p.is_dir())
    assert len((run_dir / "cases.jsonl").read_text().splitlines()) == CASES
    journal = run_dir / "responses.jsonl"
    assert not journal.exists() or journal.read_text().strip() == ""


def test_404_everywhere_stops_after_three_and_shows_the_url(tmp_path: Path) -> None:
    with FaultyServer(lambda *_: (404, {"detail": "Not Found"})) as server:
        _target(tmp_path, server.url)  # no /v1
        proc = _run(tmp_path)
        assert len(server.requests) == 3
    first = _assert_stopped(proc, f"HTTP 404 from {server.url}/chat/completions")
    assert "does not end in /v1" in first and f"{server.url}/v1/chat/completions" in first


def test_400_model_not_found_stops_the_run(tmp_path: Path) -> None:
    answer = {"error": {"message": "The model `nope` does not exist.", "code": 400}}
    with FaultyServer(lambda *_: (400, answer)) as server:
        _target(tmp_path, server.url + "/v1", model="nope")
        proc = _run(tmp_path)
        assert len(server.requests) == 3
    first = _assert_stopped(proc, "HTTP 400")
    assert "does not serve model 'nope'" in first


def test_a_400_for_one_prompt_does_not_stop_the_run(tmp_path: Path) -> None:
    def reply(method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        if "question 0" in json.dumps(body):
            return 400, {"error": {"message": "content filter triggered"}}
        return 200, completion("a fine long enough answer")

    with FaultyServer(reply) as server:
        _target(tmp_path, server.url + "/v1")
        proc = _run(tmp_path)
        assert len(server.requests) == CASES
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_resume_after_the_key_is_fixed_sends_everything(tmp_path: Path) -> None:
    def reply(method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        if headers.get("Authorization") != "Bearer good-key-123":
            return 401, {"error": {"message": "invalid api key"}}
        return 200, completion("a fine long enough answer")

    with FaultyServer(reply) as server:
        _target(tmp_path, server.url + "/v1", key=True)
        proc = _run(tmp_path, key="bad-key-456")
        first = _assert_stopped(proc, "HTTP 401")
        assert "check the key in $FF_TEST_KEY" in first
        resume = next(line for line in _error_lines(proc) if "--resume" in line).split(
            "continue with: ", 1
        )[1]
        again = _cli(tmp_path, *resume.split()[1:], key="good-key-123")
        assert again.returncode == 0, again.stdout + again.stderr
    run_dir = next(p for p in (tmp_path / "reports").iterdir() if p.is_dir())
    rows = (run_dir / "results.jsonl").read_text().splitlines()
    assert len(rows) == CASES and all(json.loads(r)["error"] is None for r in rows)


def test_limit_runs_the_first_cases_only(tmp_path: Path) -> None:
    with FaultyServer(lambda *_: (200, completion("a fine long enough answer"))) as server:
        _target(tmp_path, server.url + "/v1")
        proc = _run(tmp_path, "--limit", "5")
        assert len(server.requests) == 5
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "smoke test: the first 5 of 40 cases" in proc.stdout


@pytest.mark.parametrize(
    ("base_url", "shown"),
    [
        ("localhost:8000/v1", "'localhost:8000/v1' is not an http(s) URL"),
        ("127.0.0.1/v1", "needs a scheme and a host"),
    ],
)
def test_validate_rejects_a_base_url_without_scheme(
    tmp_path: Path, base_url: str, shown: str
) -> None:
    _target(tmp_path, base_url)
    proc = _cli(tmp_path, "validate", "target.yaml")
    assert proc.returncode == 2
    assert "target.yaml:2: base_url:" in proc.stdout + proc.stderr
    assert shown in proc.stdout + proc.stderr


def test_targets_check_explains_a_404_and_lists_models(tmp_path: Path) -> None:
    with FaultyServer(lambda *_: (404, {"detail": "Not Found"})) as server:
        _target(tmp_path, server.url)
        proc = _cli(tmp_path, "targets", "check", "target.yaml")
    assert proc.returncode == 3
    out = proc.stdout
    assert f"URL: {server.url}/chat/completions" in out
    assert f"failed: HTTP 404 from {server.url}/chat/completions" in out  # said once
    assert "does not end in /v1" in out

    def models(method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        if path.endswith("/models"):
            return 200, {"data": [{"id": "llama-3-8b"}, {"id": "qwen2-7b"}]}
        return 404, {"error": {"message": "The model `llama3-8b` does not exist."}}

    with FaultyServer(models) as server:
        _target(tmp_path, server.url + "/v1", model="llama3-8b")
        proc = _cli(tmp_path, "targets", "check", "target.yaml")
    assert proc.returncode == 3
    assert "models the endpoint lists: llama-3-8b, qwen2-7b" in proc.stdout
    assert "did you mean 'llama-3-8b'?" in proc.stdout

    with FaultyServer(lambda *_: (200, completion("OK"))) as server:
        _target(tmp_path, server.url + "/v1")
        proc = _cli(tmp_path, "targets", "check", "target.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK: answered in" in proc.stdout and "model 'served-model': 'OK'" in proc.stdout


def test_a_key_revoked_mid_run_stops_the_run_and_resume_sends_what_was_not_answered(
    tmp_path: Path,
) -> None:
    # Only the first requests were probed: once the key stopped working mid-run, every
    # remaining request was still sent, each to fail with the same 401 (100k of them at 100k
    # cases), and journalled as an error that --resume would not send again.
    revoked = {"after": 10}
    answered: list[str] = []

    def reply(method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        if len(server.requests) > revoked["after"]:
            return 401, {"error": {"message": "invalid api key"}}
        answered.append(body["messages"][-1]["content"])
        return 200, completion("a fine long enough answer")

    with FaultyServer(reply) as server:
        _target(tmp_path, server.url + "/v1")
        proc = _run(tmp_path)
        assert proc.returncode == 3, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        sent = len(server.requests)
        assert sent < CASES, sent  # the rest was not sent to fail the same way
        lines = _error_lines(proc)
        first = next(line for line in lines if "stopped:" in line)
        assert "HTTP 401" in first and "in a row" in first, first
        resume = next(line for line in lines if "--resume" in line).split("continue with: ", 1)[1]
        run_dir = next(p for p in (tmp_path / "reports").iterdir() if p.is_dir())
        journal = [json.loads(r) for r in (run_dir / "responses.jsonl").read_text().splitlines()]
        assert len(journal) == 10 and all(r["error"] is None for r in journal), journal

        revoked["after"] = 10**9  # the key works again
        again = _cli(tmp_path, *resume.split()[1:])
        assert again.returncode == 0, again.stdout + again.stderr
    rows = [json.loads(r) for r in (run_dir / "results.jsonl").read_text().splitlines()]
    assert len(rows) == CASES and all(r["error"] is None for r in rows)
    assert len(answered) == len(set(answered)) == CASES  # none answered twice


def test_answers_unreadable_for_many_prompts_in_a_row_do_not_stop_the_run(
    tmp_path: Path,
) -> None:
    """An unreadable answer depends on the prompt as much as on the target (a guardrail that
    answers its blocked prompts in another shape; a dataset sorted by category puts them in a
    row): past the probe, only failures of the target as a whole (refused connections,
    401/403/404, an unknown model) stop a run. Stopping here would stop every resume the same
    way, and the run could never be finished and judged on its error rate."""

    def reply(method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        number = int(body["messages"][-1]["content"].split()[-1])
        if number >= 10:
            return 200, {"blocked": True, "reason": "policy"}
        return 200, completion("a fine long enough answer")

    with FaultyServer(reply) as server:
        _target(tmp_path, server.url + "/v1")
        proc = _run(tmp_path)
        assert len(server.requests) == CASES, len(server.requests)
    assert "stopped:" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    run_dir = next(p for p in (tmp_path / "reports").iterdir() if p.is_dir())
    rows = [json.loads(r) for r in (run_dir / "results.jsonl").read_text().splitlines()]
    assert len(rows) == CASES
    assert sum(r["error"] is not None for r in rows) == CASES - 10
    assert proc.returncode == 3  # 75 % errors: the run failed on its error rate, and says so
    assert "errors 30" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_a_408_to_every_request_is_retried_within_the_policy_then_fails_the_run(
    tmp_path: Path,
) -> None:
    # A 408 is the server's answer that it is busy, not a target that is gone: no stop after
    # the probe, but each request tried max_attempts (3) times, waits capped by max_delay_s
    # (0.2 s, the server's Retry-After of an hour too), then the run fails on its error rate
    # with the command that retries them.
    async def busy(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=408, text="request timeout", headers={"Retry-After": "3600"})

    with ThreadedServer(busy) as server:
        _target(tmp_path, server.base_url)
        started = time.monotonic()
        proc = _run(tmp_path)
        took = time.monotonic() - started
        posts = len(server.seen.bodies)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 3, text
    assert posts == 3 * CASES, posts
    assert took < 30, took
    assert "stopped:" not in text and "Traceback" not in text, text
    assert f"errors {CASES} (100.0%" in text and "first: HTTP 408" in text, text
    assert f"retry its {CASES} errored requests with:" in text and "--retry-errors" in text, text
    run_dir = next(p for p in (tmp_path / "reports").iterdir() if p.is_dir())
    rows = [json.loads(r) for r in (run_dir / "results.jsonl").read_text().splitlines()]
    assert len(rows) == CASES
    assert all(r["error"]["type"] == "timeout" and r["error"]["status"] == 408 for r in rows)


@pytest.mark.parametrize("where", ["another host", "a loop"])
def test_a_redirect_that_is_not_followed_stops_the_run(tmp_path: Path, where: str) -> None:
    # A 307/308 to another host, or round in a loop, fails every request the same way; only
    # 301-303 were known to the probe, so all 40 were sent (a loop: ten hops each) to fail.
    async def moved(request: web.Request) -> web.Response:
        elsewhere = f"http://127.0.0.1:{closed_port()}" if where == "another host" else ""
        return web.Response(status=307, headers={"Location": elsewhere + request.path})

    with ThreadedServer(moved) as server:
        _target(tmp_path, server.base_url)
        proc = _run(tmp_path)
        posts = len(server.seen.bodies)
    first = _assert_stopped(proc, "HTTP 307" if where == "another host" else "redirect loop")
    assert posts == (3 if where == "another host" else 30), first
