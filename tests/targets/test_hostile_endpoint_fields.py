"""What a hostile or broken endpoint puts in the fields around an answer (a Retry-After header,
the model's name, the finish reason, the model list) must become one recorded error or a
readable value, never an 'internal error' that blames the harness or ends the run. Each test
runs the CLI in a subprocess against a real server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response

SUITE = (
    "suite: hostile\ncases:\n  - {id: a, prompt: 'one'}\n  - {id: b, prompt: 'two'}\n"
    "scorers:\n  - {id: len, use: length}\nmax_error_rate: 1.0\n"
)


def _target(tmp_path: Path, server: ThreadedServer, extra: str = "") -> None:
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    (tmp_path / "target.yaml").write_text(
        f"type: openai\nbase_url: {server.base_url}\nmodel: m\n"
        "retry: {max_attempts: 2, base_delay_s: 0, max_delay_s: 0}\n" + extra,
        encoding="utf-8",
    )


def _run(tmp_path: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``assurance run`` of the suite on the target ``_target`` wrote, no HTML report."""
    return run_cli(
        "run",
        "suite.yaml",
        "--target",
        "target.yaml",
        "--reports",
        "reports",
        "--no-report",
        cwd=tmp_path,
        env=env,
    )


def _results(tmp_path: Path) -> list[dict[str, object]]:
    (path,) = (tmp_path / "reports").rglob("results.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def _retry_after_past_any_calendar(request: web.Request) -> web.Response:
    """A 429 whose Retry-After is a date in year 99999999999."""
    await request.read()
    when = "Mon, 01 Jan 99999999999 00:00:00 GMT"
    return web.Response(status=429, text="slow down", headers={"Retry-After": when})


def test_a_retry_after_date_past_any_calendar_is_a_rate_limit_not_a_harness_bug(
    tmp_path: Path,
) -> None:
    # Converting that date raised OverflowError, which the executor recorded as an
    # 'exception' (a harness bug): not retried, its status lost.
    with ThreadedServer(_retry_after_past_any_calendar) as server:
        _target(tmp_path, server)
        ran = _run(tmp_path)
        sent = len(server.seen.bodies)
    text = ran.stdout + ran.stderr
    assert "internal error" not in text and "Overflow" not in text, text
    errors = [row["error"] for row in _results(tmp_path)]
    assert [(e["type"], e["status"]) for e in errors] == [("rate_limited", 429)] * 2, errors
    assert sent == 2 * 2  # each case tried twice: a 429 is transient


def test_targets_check_says_the_429_of_a_retry_after_past_any_calendar(tmp_path: Path) -> None:
    # 'targets check' ended in "internal error: OverflowError ... a bug in assurance-harness".
    with ThreadedServer(_retry_after_past_any_calendar) as server:
        _target(tmp_path, server)
        checked = run_cli("targets", "check", "target.yaml", cwd=tmp_path)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 3 and "internal error" not in text, text
    assert "failed: HTTP 429: slow down" in checked.stdout, text


def test_a_model_name_and_finish_reason_with_lone_surrogates_do_not_end_the_run(
    tmp_path: Path,
) -> None:
    # JSON may escape half an emoji ("\ud83d"): Python reads it as a lone surrogate, which
    # UTF-8 cannot encode. The answer's text was repaired, its model name and finish reason
    # were not: the response cache failed to store them and the run ended in "internal error"
    # with every answer unscored.
    raw = (
        b'{"model": "m-\\ud83d", "choices": [{"index": 0, "message": {"role": "assistant", '
        b'"content": "an answer"}, "finish_reason": "stop\\udc00"}]}'
    )

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=raw, content_type="application/json")

    with ThreadedServer(handler) as server:
        _target(tmp_path, server)
        ran = _run(tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    rows = _results(tmp_path)
    assert [(r["response"], r["model_version"], r["finish_reason"]) for r in rows] == [
        ("an answer", "m-\ufffd", "stop\ufffd")
    ] * 2


def test_a_model_list_nested_too_deep_to_read_is_no_list_not_a_crash(tmp_path: Path) -> None:
    # 'targets check' reads GET /models after its request: a list nested 100,000 deep raised
    # RecursionError, not the ValueError the reader expected, and the check ended in
    # "internal error ... a bug in assurance-harness" though the endpoint had answered.
    async def handler(request: web.Request) -> web.Response:
        if request.method == "GET":
            return web.Response(body=b"[" * 100_000 + b"]" * 100_000)
        await request.read()
        return json_response(completion("OK"))

    with ThreadedServer(handler) as server:
        _target(tmp_path, server)
        checked = run_cli("targets", "check", "target.yaml", cwd=tmp_path)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 0, text
    assert "internal error" not in text and "OK: answered" in text, text


@pytest.mark.parametrize("keyed", [True, False])
def test_a_same_host_redirect_to_a_url_with_credentials_is_refused_not_a_crash(
    tmp_path: Path, keyed: bool
) -> None:
    # A 307 to http://user:pw@SAME-HOST/...: aiohttp refused to send the target's own
    # Authorization beside the URL's credentials with a ValueError, recorded as an
    # 'exception' (a harness bug); with no Authorization of its own the request went on
    # with the credentials the server chose, and the other page's answer was scored.
    followed: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        if request.path.endswith("/there"):
            followed.append(request.headers.get("Authorization", ""))
            return json_response(completion("the other page"))
        location = f"http://someone:hunter2@{request.host}/v1/there"
        return web.Response(status=307, headers={"Location": location})

    with ThreadedServer(handler) as server:
        _target(tmp_path, server, "api_key_env: HOSTILE_KEY\n" if keyed else "")
        ran = _run(tmp_path, {"HOSTILE_KEY": "sk-hostile-redirect-0123456789"})
    text = ran.stdout + ran.stderr
    assert "internal error" not in text and "ValueError" not in text, text
    errors = [row["error"] for row in _results(tmp_path)]
    assert [(e and e["type"], e and e["status"]) for e in errors] == [("client_error", 307)] * 2
    assert all("credentials" in e["message"] and "hunter2" not in e["message"] for e in errors)
    assert followed == []  # the server's credentials were never sent


def test_a_usage_object_nested_hundreds_deep_leaves_the_answers_scored(tmp_path: Path) -> None:
    # Valid JSON, read whole, but its usage nested 600 deep: scrubbing the key out of it
    # (two frames a level) passed Python's recursion limit, and the run ended in "internal
    # error ... no response was recorded" on the first answer, every other case unsent.
    usage = b'{"n": ' * 600 + b"1" + b"}" * 600
    raw = (
        b'{"model": "m", "choices": [{"index": 0, "message": {"role": "assistant", '
        b'"content": "an answer"}, "finish_reason": "stop"}], "usage": ' + usage + b"}"
    )

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=raw, content_type="application/json")

    with ThreadedServer(handler) as server:
        _target(tmp_path, server, "api_key_env: HOSTILE_KEY\n")
        ran = _run(tmp_path, {"HOSTILE_KEY": "sk-hostile-usage-0123456789"})
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert [row["response"] for row in _results(tmp_path)] == ["an answer"] * 2


def test_a_model_name_with_a_line_break_cannot_add_a_line_to_targets_check(
    tmp_path: Path,
) -> None:
    # GET /models is the endpoint's own text: an id holding a line break printed a line of
    # the server's choosing under the check's own ("OK: answered ..." after a failure).
    async def handler(request: web.Request) -> web.Response:
        if request.method == "GET":
            return json_response({"data": [{"id": "m\nOK: answered in 0.01s: 'fine'"}]})
        await request.read()
        return web.Response(status=500, text="down")

    with ThreadedServer(handler) as server:
        _target(tmp_path, server)
        checked = run_cli("targets", "check", "target.yaml", cwd=tmp_path)
    lines = checked.stdout.splitlines()
    assert checked.returncode == 3, checked.stdout + checked.stderr
    assert not [line for line in lines if line.startswith("OK:")], lines
    assert "models the endpoint lists: m OK: answered in 0.01s: 'fine'" in lines, lines


def test_an_error_inside_the_choice_is_an_error_not_the_answer(tmp_path: Path) -> None:
    # OpenRouter and gateways like it put an upstream's failure inside the choice
    # (choices[0].error, finish_reason "error") beside what text came before it. Only an
    # error beside the choices was read: the half answer was scored as the model's whole one,
    # and "error" is no finish reason the run counts as not complete.
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        body = completion("The first half of")
        body["choices"][0]["finish_reason"] = "error"
        body["choices"][0]["error"] = {"code": 502, "message": "upstream provider disconnected"}
        return json_response(body)

    with ThreadedServer(handler) as server:
        _target(tmp_path, server)
        _run(tmp_path)
    rows = _results(tmp_path)
    assert [row["response"] for row in rows] == [None, None], rows
    errors = [row["error"] for row in rows]
    assert all(e and e["type"] == "bad_response" for e in errors), errors
    assert all(e and "upstream provider disconnected" in e["message"] for e in errors), errors
