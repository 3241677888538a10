"""Answers a hostile or broken endpoint sends on 127.0.0.1, through the runner's executor: each
must become one recorded error that names what is wrong with the answer (its kind decides
whether the request is sent again), never an 'exception' (a harness bug) nor a reason that
sends the user looking at the wrong thing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web

from assurance_harness.datatypes import GenerationRequest, ResponseRecord
from assurance_harness.runner.executor import execute
from assurance_harness.targets.base import RetryPolicy, Target
from assurance_harness.targets.http_json import HttpJsonSpec, HttpJsonTarget
from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

from ..testing.openai_stub import serve

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ADAPTERS = ["openai", "http"]


def _target(kind: str, url: str) -> Target:
    if kind == "openai":
        return OpenAITarget(OpenAISpec(base_url=url + "/v1", model="m"))
    return HttpJsonTarget(HttpJsonSpec(url=url + "/generate", response_path="text"))


def _record(kind: str, handler: Handler) -> tuple[ResponseRecord, int]:
    """The one request's record, and how many requests the server received (three attempts
    allowed: a retryable error is sent three times)."""
    request = GenerationRequest(
        case_id="c1", sample=0, seed=1, messages=[{"role": "user", "content": "hi"}], params={}
    )

    async def main() -> tuple[ResponseRecord, int]:
        records: list[ResponseRecord] = []
        async with serve(handler) as (url, seen):
            target = _target(kind, url)
            await target.start()
            try:
                await execute(
                    target,
                    [request],
                    on_record=records.append,
                    concurrency=1,
                    requests_per_second=None,
                    timeout_s=5.0,
                    retry=RetryPolicy(max_attempts=3, base_delay_s=0.0, max_delay_s=0.0),
                )
            finally:
                await target.close()
            return records[0], len(seen.bodies)

    return asyncio.run(main())


@pytest.mark.parametrize("kind", ADAPTERS)
def test_a_number_too_long_to_read_is_a_bad_response_not_an_exception(kind: str) -> None:
    # Valid JSON whose usage count has 5,000 digits: json.loads raises a plain ValueError
    # (Python's limit on converting long digit strings), which the adapters did not expect,
    # so it was recorded as an 'exception' - the kind that means a bug in the harness.
    body = b'{"text": "x", "choices": [{"message": {"content": "x"}}], "usage": {"n": '
    body += b"9" * 5000 + b"}}"

    async def handler(_: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    record, sent = _record(kind, handler)
    assert record.error is not None and record.response is None
    assert record.error.type == "bad_response", record.error
    assert "digits" in record.error.message
    assert sent == 1  # the same answer would come back: not sent again


@pytest.mark.parametrize("kind", ADAPTERS)
@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_an_answer_that_is_not_what_its_content_encoding_says_is_a_bad_response(
    kind: str, encoding: str
) -> None:
    # Plain JSON labelled gzip (a proxy that adds the header twice over, a misconfigured
    # server): aiohttp cannot decode it. It was recorded as "connection dropped mid-response",
    # a connection_error - sent again on every attempt, and the run's hint asked whether the
    # server was running - when the server had answered in full, every time the same.
    async def handler(_: web.Request) -> web.Response:
        return web.Response(
            body=b'{"text": "x", "choices": [{"message": {"content": "x"}}]}',
            headers={"Content-Encoding": encoding, "Content-Type": "application/json"},
        )

    record, sent = _record(kind, handler)
    assert record.error is not None and record.response is None
    assert record.error.type == "bad_response", record.error
    assert encoding in record.error.message and "Content-Encoding" in record.error.message
    assert "dropped" not in record.error.message
    assert sent == 1


@pytest.mark.parametrize("kind", ADAPTERS)
def test_a_redirect_loop_is_named_as_one(kind: str) -> None:
    # A 307 to itself (keeps the method and body, so it is followed): aiohttp gives up after
    # ten hops with an empty message, recorded as "malformed HTTP response from URL: " - a
    # reason that was wrong (every answer was well-formed HTTP) and said nothing.
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=307, headers={"Location": request.path})

    record, sent = _record(kind, handler)
    assert record.error is not None and record.response is None
    assert "malformed" not in record.error.message
    assert "redirect" in record.error.message and "10" in record.error.message
    assert record.error.status == 307
    assert sent == 10  # ten hops of one attempt: a loop is not tried again


def test_a_200_that_carries_an_error_object_records_what_the_server_said() -> None:
    # Some OpenAI-compatible proxies answer 200 with {"error": {...}} (an overloaded backend,
    # a model being loaded). The record said only "response has no choices[0].message (not a
    # chat-completions answer?)": the server's own reason was lost.
    async def handler(_: web.Request) -> web.Response:
        return web.json_response(
            {"error": {"message": "model llama-3 is loading, retry in 30s", "code": 503}}
        )

    record, sent = _record("openai", handler)
    assert record.error is not None and record.error.type == "bad_response"
    assert "model llama-3 is loading, retry in 30s" in record.error.message, record.error
    assert sent == 1


def test_an_answer_of_tool_calls_without_text_is_no_empty_answer() -> None:
    # A model that calls a tool answers content null with tool_calls. The record was an empty
    # answer (""), which every text scorer reads as harmless, not toxic, not refused: a safe
    # reply nobody gave. The harness runs no tools, so it is a bad response that says so.
    async def handler(_: web.Request) -> web.Response:
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "search", "arguments": "{}"}}
            ],
        }
        return web.json_response(
            {"choices": [{"message": message, "finish_reason": "tool_calls"}], "model": "m"}
        )

    record, sent = _record("openai", handler)
    assert record.error is not None and record.error.type == "bad_response", record
    assert "tool" in record.error.message and "search" in record.error.message
    assert sent == 1
