"""Answers a hostile or broken endpoint sends on 127.0.0.1, through the runner's executor: each
must become one recorded error that names what is wrong with the answer (its kind decides
whether the request is sent again), never an 'exception' (a harness bug) nor a reason that
sends the user looking at the wrong thing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web

from assurance_harness.datatypes import GenerationRequest, ResponseRecord
from assurance_harness.targets.base import (
    BadResponseError,
    RetryPolicy,
    Target,
    TargetTimeoutError,
)
from assurance_harness.targets.http_json import HttpJsonSpec, HttpJsonTarget
from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

from ..testing.openai_stub import send_once, serve, serve_raw

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ADAPTERS = ["openai", "http"]


def _target(kind: str, url: str) -> Target:
    if kind == "openai":
        return OpenAITarget(OpenAISpec(base_url=url + "/v1", model="m"))
    return HttpJsonTarget(HttpJsonSpec(url=url + "/generate", response_path="text"))


def _record(kind: str, handler: Handler) -> tuple[ResponseRecord, int]:
    """The one request's record, and how many requests the server received (three attempts
    allowed: a retryable error is sent three times)."""

    async def main() -> tuple[ResponseRecord, int]:
        async with serve(handler) as (url, seen):
            retry = RetryPolicy(max_attempts=3, base_delay_s=0.0, max_delay_s=0.0)
            return await send_once(_target(kind, url), retry=retry), len(seen.bodies)

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
def test_a_408_to_every_attempt_is_retried_as_the_policy_allows_then_one_timeout_error(
    kind: str,
) -> None:
    # A server's 408 Request Timeout is transient (it may be busy): tried again like a 5xx,
    # up to max_attempts in all, then recorded; its Retry-After capped by max_delay_s.
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=408, text="request timeout", headers={"Retry-After": "3600"})

    started = time.monotonic()
    record, sent = _record(kind, handler)
    assert time.monotonic() - started < 10
    assert record.error is not None and record.response is None
    assert (record.error.type, record.error.status) == ("timeout", 408), record.error
    assert "HTTP 408" in record.error.message
    assert sent == 3 and record.attempts == 3


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


KEY = "sk-hostile-test-key-0123456789"


def _keyed_target(kind: str, url: str, header: str) -> Target:
    """A target that sends KEY (from $HOSTILE_KEY) in ``header``."""
    if kind == "openai":
        spec = OpenAISpec(
            base_url=url + "/v1", model="m", api_key_env="HOSTILE_KEY", api_key_header=header
        )
        return OpenAITarget(spec)
    return HttpJsonTarget(
        HttpJsonSpec(
            url=url + "/generate", response_path="text", headers={header: "${HOSTILE_KEY}"}
        )
    )


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("openai", "Authorization"),
        ("openai", "api-key"),
        ("http", "X-Api-Key"),
    ],
)
@pytest.mark.parametrize("status", [307, 308])
def test_a_redirect_to_another_host_gets_neither_the_key_nor_the_prompt(
    monkeypatch: pytest.MonkeyPatch, kind: str, header: str, status: int
) -> None:
    # A 307/308 keeps the method and body, and aiohttp follows it; to another origin it drops
    # Authorization, but any other header went on: Azure's api-key, an X-Api-Key - the key
    # handed to a host the target file never named. And whatever that host said (without the
    # key, with Authorization) was recorded as the model's answer.
    monkeypatch.setenv("HOSTILE_KEY", KEY)

    async def elsewhere(_: web.Request) -> web.Response:
        return web.json_response({"text": "other host", "choices": [{"message": {"content": "x"}}]})

    async def main() -> tuple[ResponseRecord, list[dict[str, str]]]:
        async with serve(elsewhere) as (other, other_seen):

            async def moved(request: web.Request) -> web.Response:
                return web.Response(status=status, headers={"Location": other + request.path})

            async with serve(moved) as (url, _):
                record = await send_once(_keyed_target(kind, url, header))
            return record, other_seen.headers

    record, reached = asyncio.run(main())
    assert reached == [], reached  # nothing at all went to the other host
    assert record.response is None and record.error is not None, record
    assert record.error.type == "client_error" and record.error.status == status
    assert "another host" in record.error.message and KEY not in record.error.message


@pytest.mark.parametrize("kind", ADAPTERS)
def test_a_redirect_on_the_same_host_is_followed_with_the_key(
    monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # A path that moved on the same server (a trailing slash added) is the same endpoint.
    monkeypatch.setenv("HOSTILE_KEY", KEY)

    async def handler(request: web.Request) -> web.Response:
        if not request.path.endswith("/"):
            return web.Response(status=308, headers={"Location": request.path + "/"})
        return web.json_response({"text": "ok", "choices": [{"message": {"content": "ok"}}]})

    async def main() -> tuple[ResponseRecord, list[dict[str, str]]]:
        async with serve(handler) as (url, seen):
            record = await send_once(_keyed_target(kind, url, "api-key"))
        return record, seen.headers

    record, headers = asyncio.run(main())
    assert record.error is None and record.response == "ok", record
    assert [h.get("api-key") for h in headers] == [KEY, KEY]


@pytest.mark.parametrize("finish", ["length", "stop", None])
def test_a_null_content_without_refusal_or_tool_calls_is_no_empty_answer(
    finish: str | None,
) -> None:
    # vLLM with a reasoning parser answers content null when the model spent max_tokens on its
    # reasoning (finish_reason "length"); the record was an empty answer (""), which every text
    # scorer reads as harmless, not toxic, not refused: a safe reply nobody gave.
    async def handler(_: web.Request) -> web.Response:
        message = {"role": "assistant", "content": None, "reasoning_content": "Let me think"}
        return web.json_response({"choices": [{"message": message, "finish_reason": finish}]})

    record, sent = _record("openai", handler)
    assert record.response is None and record.error is not None, record
    assert record.error.type == "bad_response" and "null" in record.error.message
    if finish == "length":
        assert "max_tokens" in record.error.message
    assert sent == 1


def test_a_finish_reason_that_is_not_text_is_not_recorded_as_one() -> None:
    # finish_reason is text (or null) in the record's schema; an object from the endpoint was
    # copied into responses.jsonl as it came. It is recorded as its JSON text (which the
    # reports read as an answer that may not be complete), not as the object.
    async def handler(_: web.Request) -> web.Response:
        choice = {"message": {"content": "hi"}, "finish_reason": {"type": "stop"}}
        return web.json_response({"choices": [choice], "model": 7})

    record, _ = _record("openai", handler)
    assert record.response == "hi" and record.model_version is None
    assert record.finish_reason == '{"type": "stop"}'


@pytest.mark.parametrize("kind", ADAPTERS)
def test_an_answer_that_is_not_http_is_one_line_that_suggests_https(kind: str) -> None:
    # An https server addressed as http:// answers a TLS alert. aiohttp's reason ran over
    # five lines (a caret under the bytes), printed as such by 'targets check' and kept so in
    # the journal; and nothing said the likely cause.
    async def main() -> str:
        async with serve_raw(b"\x15\x03\x03\x00\x02\x02\x50") as url:
            target = _target(kind, url)
            await target.start()
            try:
                await target.generate(
                    GenerationRequest(case_id="c1", sample=0, seed=1, messages=[], params={})
                )
            except BadResponseError as exc:
                return str(exc)
            finally:
                await target.close()
        raise AssertionError("no error")

    message = asyncio.run(main())
    assert "\n" not in message and "  " not in message, message
    assert "malformed HTTP response" in message and "https://" in message, message


@pytest.mark.parametrize("kind", ADAPTERS)
def test_a_streamed_answer_says_it_was_streamed(kind: str) -> None:
    # A body template with "stream": true, or a server that streams whatever it is asked: the
    # reason was "response is not valid JSON (JSONDecodeError): data: {...", which sent the
    # user looking at the server's JSON rather than at the streaming switch.
    async def handler(_: web.Request) -> web.Response:
        events = b'data: {"choices": [{"delta": {"content": "Hi"}}]}\n\ndata: [DONE]\n\n'
        return web.Response(body=events, content_type="text/event-stream")

    record, sent = _record(kind, handler)
    assert record.error is not None and record.error.type == "bad_response", record
    assert "text/event-stream" in record.error.message, record.error
    assert "streaming off" in record.error.message, record.error
    assert sent == 1


def test_a_null_content_withheld_by_a_content_filter_is_the_deployment_s_answer() -> None:
    # Azure OpenAI withholds a filtered completion: content null, finish_reason
    # "content_filter". That is what the deployed system shows its user (nothing), a real
    # outcome of a safety case, not a failed request: an error would count against the run.
    async def handler(_: web.Request) -> web.Response:
        choice = {
            "message": {"role": "assistant", "content": None},
            "finish_reason": "content_filter",
        }
        return web.json_response({"choices": [choice], "model": "gpt-4o"})

    record, _ = _record("openai", handler)
    assert record.error is None and record.response == "", record
    assert record.finish_reason == "content_filter"


def test_a_default_port_written_out_is_the_same_host() -> None:
    # yarl's origin() keeps a port written out, so http://h:80 and http://h were two hosts and
    # a redirect between them was refused as one to another host.
    from yarl import URL

    from assurance_harness.targets._http_common import _same_origin

    assert _same_origin(URL("http://h:80/v1/chat"), URL("http://H/v1/chat/"))
    assert _same_origin(URL("https://h/v1"), URL("https://h:443/v1/"))
    assert not _same_origin(URL("http://h/v1"), URL("https://h/v1"))
    assert not _same_origin(URL("http://h/v1"), URL("http://h:8080/v1"))
    assert not _same_origin(URL("http://h/v1"), URL("http://evil.example/v1"))


def test_the_timeout_covers_every_redirect_of_a_request_together() -> None:
    # The adapters follow a same-host 307/308 themselves: each hop must not get a timeout of
    # its own, or a chain of slow redirects outlasts timeout_s ('targets check' has no other).
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(0.4)
        if len(request.path) < 8:  # /g, /g/x, /g/x/x: 1.6 s in all, four of 0.4 s
            return web.Response(status=307, headers={"Location": request.path + "/x"})
        return web.json_response({"text": "late"})

    async def main() -> BaseException | None:
        async with serve(handler) as (url, _):
            target = HttpJsonTarget(
                HttpJsonSpec(url=url + "/g", response_path="text", timeout_s=1.0)
            )
            await target.start()
            try:
                await target.generate(
                    GenerationRequest(case_id="c", sample=0, seed=0, messages=[], params={})
                )
            except TargetTimeoutError as exc:
                return exc
            finally:
                await target.close()
        return None

    error = asyncio.run(main())
    assert error is not None and "within 1s" in str(error), error


def _answer_with(message: dict[str, object], finish: str | None) -> Handler:
    async def handler(_: web.Request) -> web.Response:
        choice = {"message": {"role": "assistant", **message}, "finish_reason": finish}
        return web.json_response({"choices": [choice], "model": "m"})

    return handler


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_an_empty_content_beside_a_refusal_is_the_refusal(content: str) -> None:
    # OpenAI's structured refusal leaves content null; proxies and compatible servers send ""
    # beside the refusal instead. The record was an empty answer, which a refusal scorer reads
    # as no refusal, and every other scorer as a harmless reply: the model's refusal was lost.
    refusal = "I'm sorry, I can't help with that."
    record, _ = _record("openai", _answer_with({"content": content, "refusal": refusal}, "stop"))
    assert record.error is None and record.response == refusal, record


@pytest.mark.parametrize("content", ["", " "])
def test_an_empty_content_beside_tool_calls_is_no_empty_answer(content: str) -> None:
    # vLLM, Ollama and LiteLLM send content "" (not null) beside tool_calls: the record was an
    # empty answer, a safe reply nobody gave, where content null was already refused.
    call = {"id": "c1", "type": "function", "function": {"name": "search", "arguments": "{}"}}
    message = {"content": content, "tool_calls": [call]}
    record, sent = _record("openai", _answer_with(message, "tool_calls"))
    assert record.error is not None and record.error.type == "bad_response", record
    assert "search" in record.error.message
    assert sent == 1


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_an_empty_content_cut_off_at_max_tokens_is_no_answer(content: str) -> None:
    # A reasoning model that spends max_tokens thinking answers content "" (Ollama, llama.cpp,
    # some vLLM versions) rather than null, with finish_reason "length": the record was an
    # empty answer, scored as a harmless reply the model never gave.
    message = {"content": content, "reasoning_content": "Let me think"}
    record, sent = _record("openai", _answer_with(message, "length"))
    assert record.response is None and record.error is not None, record
    assert record.error.type == "bad_response" and "max_tokens" in record.error.message
    assert sent == 1


def test_an_empty_content_that_stopped_is_the_model_s_answer() -> None:
    # The other side: a model that chose to say nothing (finish_reason "stop") did answer.
    record, _ = _record("openai", _answer_with({"content": ""}, "stop"))
    assert record.error is None and record.response == "" and record.finish_reason == "stop"


AZURE_PROMPT_FILTERED = {
    "error": {
        "message": "The response was filtered due to the prompt triggering Azure OpenAI's "
        "content management policy.",
        "type": None,
        "param": "prompt",
        "code": "content_filter",
        "status": 400,
        "innererror": {"code": "ResponsibleAIPolicyViolation"},
    }
}


def test_a_prompt_withheld_by_the_deployment_s_filter_is_its_answer_not_a_failed_request() -> None:
    # Azure OpenAI's filter on the prompt answers HTTP 400 with error code "content_filter":
    # the deployed system's user gets nothing, as when it filters a completion (content null,
    # finish_reason "content_filter", recorded as the system's answer). It was a client_error,
    # so a safety suite's provocations counted against the run's error rate, unmeasured.
    async def handler(_: web.Request) -> web.Response:
        return web.json_response(AZURE_PROMPT_FILTERED, status=400)

    record, sent = _record("openai", handler)
    assert record.error is None and record.response == "", record
    assert record.finish_reason == "content_filter"
    assert sent == 1


def test_another_400_is_still_a_client_error() -> None:
    async def handler(_: web.Request) -> web.Response:
        error = {**AZURE_PROMPT_FILTERED["error"], "code": "invalid_request_error"}
        return web.json_response({"error": error}, status=400)

    record, _ = _record("openai", handler)
    assert record.error is not None and record.error.type == "client_error", record


def test_a_preamble_beside_tool_calls_is_no_complete_answer() -> None:
    # "Let me look that up." beside a tool call is what the model says before it reads the
    # tool's result, which the harness never sends: it was scored as the model's whole answer
    # (to a provocation, a harmless reply that refuses nothing), finish_reason tool_calls.
    call = {"id": "c1", "type": "function", "function": {"name": "search", "arguments": "{}"}}
    message = {"content": "Let me look that up.", "tool_calls": [call]}
    record, sent = _record("openai", _answer_with(message, "tool_calls"))
    assert record.error is not None and record.error.type == "bad_response", record
    assert "search" in record.error.message and "Let me look that up." in record.error.message
    assert sent == 1


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"error": {"message": "model llama-3 is loading"}}, "model llama-3 is loading"),
        ({"text": None, "error": "upstream timed out"}, "upstream timed out"),
    ],
)
def test_the_http_adapter_records_what_a_200_error_object_says(
    body: dict[str, object], said: str
) -> None:
    # The openai adapter keeps the server's reason; the http adapter said only "response has
    # nothing at 'text'" (or "'text' is NoneType, not text"), which sends the user to the
    # response_path rather than to the server.
    async def handler(_: web.Request) -> web.Response:
        return web.json_response(body)

    record, sent = _record("http", handler)
    assert record.error is not None and record.error.type == "bad_response", record
    assert said in record.error.message, record.error
    assert "NoneType" not in record.error.message
    assert sent == 1


def test_a_blank_answer_cut_off_without_reasoning_is_the_model_s_cut_off_answer() -> None:
    # A model that spent max_tokens on blank tokens (no reasoning beside them) gave a blank
    # answer: recorded as it came, with its finish_reason, which the run counts and names.
    record, _ = _record("openai", _answer_with({"content": "\n"}, "length"))
    assert record.error is None and record.response == "\n" and record.finish_reason == "length"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # Mistral's reasoning models: the thinking as a part of its own, then the answer.
        (
            [
                {"type": "thinking", "thinking": [{"type": "text", "text": "Hmm."}]},
                {"type": "text", "text": "Paris is the capital."},
            ],
            "Paris is the capital.",
        ),
        ([{"type": "text", "text": "Two "}, {"type": "text", "text": "parts."}], "Two parts."),
        ([{"type": "refusal", "refusal": "I can't help with that."}], "I can't help with that."),
    ],
)
def test_a_content_of_parts_is_read_as_its_text(content: list[object], expected: str) -> None:
    # The chat format's list of content parts was a bad_response ("content is not a string")
    # on every case, with nothing the user could set to read it.
    record, _ = _record("openai", _answer_with({"content": content}, "stop"))
    assert record.error is None and record.response == expected, record


def test_a_content_part_that_is_not_text_is_named() -> None:
    # An image or audio part is an answer the harness cannot score as text: its text parts
    # alone would be scored as the whole answer.
    content = [{"type": "text", "text": "Here:"}, {"type": "image_url", "image_url": {}}]
    record, _ = _record("openai", _answer_with({"content": content}, "stop"))
    assert record.error is not None and record.error.type == "bad_response", record
    assert "image_url" in record.error.message
