"""The openai adapter against real HTTP servers on 127.0.0.1: success, every fault the runner
must classify, and the API key kept out of everything that is written down."""

from __future__ import annotations

import asyncio
import email.utils
import json
import time

import pytest
from aiohttp import web

from assurance_harness.datatypes import GenerationRequest, ResponseRecord
from assurance_harness.errors import ConfigError
from assurance_harness.runner.executor import execute
from assurance_harness.targets._http_common import parse_retry_after
from assurance_harness.targets.base import (
    BadResponseError,
    ClientError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TargetConnectionError,
    TargetError,
    TargetTimeoutError,
)
from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

from ..testing.openai_stub import completion, json_response, serve, serve_raw


def request(case_id: str = "c1", **params: object) -> GenerationRequest:
    return GenerationRequest(
        case_id=case_id,
        sample=0,
        seed=42,
        messages=[{"role": "user", "content": "What is 7 x 8?"}],
        params=dict(params),
    )


def make_target(base_url: str, **fields: object) -> OpenAITarget:
    spec = OpenAISpec(base_url=base_url + "/v1", model="m", **fields)
    return OpenAITarget(spec)


async def call(target: OpenAITarget, req: GenerationRequest | None = None):
    await target.start()
    try:
        return await target.generate(req or request())
    finally:
        await target.close()


async def run_executor(target: OpenAITarget, reqs: list[GenerationRequest], **kw: object):
    records: list[ResponseRecord] = []
    options: dict[str, object] = {
        "concurrency": 4,
        "requests_per_second": None,
        "timeout_s": 5.0,
        "retry": RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=5.0),
    }
    options.update(kw)
    await target.start()
    try:
        stats = await execute(target, reqs, on_record=records.append, **options)  # type: ignore[arg-type]
    finally:
        await target.close()
    return stats, records


def test_success_reads_text_model_finish_reason_and_usage_and_sends_merged_params() -> None:
    async def handler(_: web.Request) -> web.Response:
        return json_response(completion("Fifty-six.", model="stub-model-2026-01"))

    async def main() -> None:
        async with serve(handler) as (url, seen):
            target = make_target(
                url,
                system_prompt="You help children with homework.",
                generation={"temperature": 0.2, "max_tokens": 50},
            )
            response = await call(target, request(temperature=0.9))
        assert response.text == "Fifty-six."
        assert response.model_version == "stub-model-2026-01"
        assert response.finish_reason == "stop"
        assert response.usage == {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}
        body = seen.bodies[0]
        assert body["model"] == "m"
        assert body["temperature"] == 0.9  # the request's params override the target's
        assert body["max_tokens"] == 50
        assert body["seed"] == 42
        assert body["stream"] is False
        assert body["messages"] == [
            {"role": "system", "content": "You help children with homework."},
            {"role": "user", "content": "What is 7 x 8?"},
        ]

    asyncio.run(main())


def test_api_key_is_sent_but_never_in_public_config_or_fingerprint(monkeypatch) -> None:
    monkeypatch.setenv("STUB_API_KEY", "sk-secret-123")
    monkeypatch.setenv("STUB_ORG", "org-9")

    async def handler(_: web.Request) -> web.Response:
        return json_response(completion())

    async def main() -> None:
        async with serve(handler) as (url, seen):
            target = make_target(url, api_key_env="STUB_API_KEY", headers={"X-Org": "${STUB_ORG}"})
            await call(target)
            assert seen.headers[0]["Authorization"] == "Bearer sk-secret-123"
            assert seen.headers[0]["X-Org"] == "org-9"
            public = json.dumps(target.public_config())
            assert "sk-secret-123" not in public and "org-9" not in public
            assert "STUB_API_KEY" in public  # the variable's name is not a secret
            before = target.fingerprint()
            monkeypatch.setenv("STUB_API_KEY", "sk-another-key")
            assert target.fingerprint() == before

    asyncio.run(main())


def test_azure_variant_uses_api_key_header_and_api_version(monkeypatch) -> None:
    monkeypatch.setenv("AZ_KEY", "az-777")

    async def handler(_: web.Request) -> web.Response:
        return json_response(completion())

    async def main() -> None:
        async with serve(handler) as (url, seen):
            target = OpenAITarget(
                OpenAISpec(
                    base_url=url + "/openai/deployments/kids-gpt",
                    model="kids-gpt",
                    api_key_env="AZ_KEY",
                    api_key_header="api-key",
                    api_version="2024-06-01",
                )
            )
            await call(target)
        assert seen.headers[0]["api-key"] == "az-777"
        assert "Authorization" not in seen.headers[0]
        assert seen.queries[0] == {"api-version": "2024-06-01"}

    asyncio.run(main())


def test_literal_credentials_in_headers_are_redacted_from_public_config() -> None:
    target = make_target("http://127.0.0.1:9", headers={"X-Api-Key": "pasted-key", "X-Team": "a"})
    config = target.public_config()
    assert config["headers"] == {"X-Api-Key": "<redacted>", "X-Team": "a"}


def test_missing_key_variable_is_a_config_error_before_any_request(monkeypatch) -> None:
    monkeypatch.delenv("NOT_SET_KEY", raising=False)
    target = make_target("http://127.0.0.1:9", api_key_env="NOT_SET_KEY")
    with pytest.raises(ConfigError, match="NOT_SET_KEY is not set"):
        asyncio.run(target.start())


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_key_variable_is_a_config_error_that_says_empty(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # 'export KEY=' (or a $(cat) of an empty file) said "KEY is not set", which the user can
    # see is false (env | grep KEY shows it); blanks alone were sent, and every request 401'd.
    monkeypatch.setenv("EMPTY_KEY", value)
    target = make_target("http://127.0.0.1:9", api_key_env="EMPTY_KEY")
    with pytest.raises(ConfigError, match="EMPTY_KEY is empty"):
        asyncio.run(target.start())


@pytest.mark.parametrize("value", ["sk-abc\n", "sk-a\r\nX-Evil: 1", "sk-\x1b[0m"])
def test_a_key_variable_holding_a_control_character_is_a_config_error_before_any_request(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Was: ``targets check`` ended in an internal error (aiohttp's "Forbidden control character
    detected in headers", exit 3) and ``run`` sent every request to fail, exit 3 after the
    whole suite. A trailing newline is what ``export KEY=$(cat key.txt)`` leaves."""
    monkeypatch.setenv("CTRL_KEY", value)
    target = make_target("http://127.0.0.1:9", api_key_env="CTRL_KEY")
    with pytest.raises(ConfigError) as err:
        asyncio.run(target.start())
    message = str(err.value)
    assert "CTRL_KEY" in message and "control character" in message, message
    assert "sk-" not in message  # the value is a secret: never shown


def rate_limited_once() -> object:
    """A handler that answers 429 with Retry-After: 1 to its first request, then succeeds."""
    calls = 0

    async def handler(_: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return json_response({"error": "slow down"}, status=429, headers={"Retry-After": "1"})
        return json_response(completion("after the wait"))

    return handler


def test_429_surfaces_retry_after() -> None:
    async def main() -> None:
        async with serve(rate_limited_once()) as (url, _):  # type: ignore[arg-type]
            with pytest.raises(RateLimitedError) as info:
                await call(make_target(url))
        assert info.value.retry_after == 1.0 and info.value.status == 429
        assert info.value.retryable

    asyncio.run(main())


def test_429_with_retry_after_is_honoured_then_the_retry_succeeds() -> None:
    async def main() -> None:
        async with serve(rate_limited_once()) as (url, seen):  # type: ignore[arg-type]
            # The base delay is 10 ms: only the Retry-After header can make the wait a second.
            stats, records = await run_executor(make_target(url), [request()])
            assert len(seen.times) == 2
            gap = seen.times[1] - seen.times[0]
        assert gap >= 0.95, f"retried after {gap:.3f}s, before Retry-After: 1 had passed"
        assert records[0].response == "after the wait"
        assert records[0].attempts == 2 and records[0].error is None
        assert stats.retries == 1

    asyncio.run(main())


def test_retry_after_http_date_and_garbage() -> None:
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (parse_retry_after(future) or 0) <= 31
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_500_then_success_is_retried() -> None:
    calls = 0

    async def handler(_: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls <= 2:  # the direct call, then the executor's first attempt
            return web.Response(status=500, text="boom")
        return json_response(completion("recovered"))

    async def main() -> None:
        async with serve(handler) as (url, _):
            with pytest.raises(ServerError) as info:
                await call(make_target(url))
            assert info.value.status == 500 and "boom" in str(info.value)
            stats, records = await run_executor(make_target(url), [request()])
        assert records[0].response == "recovered" and records[0].attempts == 2
        assert stats.succeeded == 1 and stats.attempts == 2

    asyncio.run(main())


def test_persistent_500_becomes_an_error_record_after_max_attempts() -> None:
    async def handler(_: web.Request) -> web.Response:
        return web.Response(status=503, text="overloaded")

    async def main() -> None:
        async with serve(handler) as (url, seen):
            stats, records = await run_executor(make_target(url), [request()])
            assert len(seen.bodies) == 3
        assert records[0].response is None
        assert records[0].error is not None
        assert records[0].error.type == "server_error" and records[0].error.status == 503
        assert records[0].attempts == 3
        assert stats.errors == 1 and stats.errors_by_type == {"server_error": 1}

    asyncio.run(main())


def test_timeouts_from_the_target_and_from_the_executor() -> None:
    async def handler(_: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return json_response(completion())

    async def main() -> None:
        async with serve(handler) as (url, _):
            t0 = time.monotonic()
            with pytest.raises(TargetTimeoutError):
                await call(make_target(url, timeout_s=0.3))
            assert time.monotonic() - t0 < 2
            t0 = time.monotonic()
            _, records = await run_executor(
                make_target(url),
                [request()],
                timeout_s=0.2,
                retry=RetryPolicy(max_attempts=2, base_delay_s=0.0),
            )
            assert time.monotonic() - t0 < 2
        assert records[0].error is not None and records[0].error.type == "timeout"
        assert records[0].attempts == 2

    asyncio.run(main())


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        # An empty 200 read "response is not valid JSON (JSONDecodeError): ", the line ending
        # at its colon, as if the snippet had been lost.
        (b"", r"response is empty \(no body\), not JSON"),
        (b" \r\n", r"response is empty \(no body\), not JSON"),
        (json.dumps({"object": "chat.completion"}).encode(), "no choices"),
        (json.dumps({"choices": []}).encode(), "no choices"),
        # A message that is not an object was an AttributeError, recorded as an 'exception'
        # (a bug) rather than as what it is, and not seen by the fail-fast probe.
        (json.dumps({"choices": [{"message": "hi"}]}).encode(), "no choices"),
        (json.dumps({"choices": [{"message": ["hi"]}]}).encode(), "no choices"),
        # Nested past the JSON reader's recursion limit: a RecursionError, recorded as an
        # 'exception' (a bug) rather than as an answer that cannot be read.
        (b"[" * 100_000 + b"]" * 100_000, "nested too deep"),
    ],
)
def test_malformed_answers_are_bad_response_and_not_retried(body: bytes, fragment: str) -> None:
    async def handler(_: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    async def main() -> None:
        async with serve(handler) as (url, seen):
            with pytest.raises(BadResponseError, match=fragment) as info:
                await call(make_target(url))
            assert not info.value.retryable
            _, records = await run_executor(make_target(url), [request()])
            assert len(seen.bodies) == 2  # one direct call, one executor attempt: no retry
        assert records[0].error is not None and records[0].error.type == "bad_response"

    asyncio.run(main())


def test_other_4xx_is_a_client_error_not_retried() -> None:
    async def handler(_: web.Request) -> web.Response:
        return json_response({"error": {"message": "model not found"}}, status=404)

    async def main() -> None:
        async with serve(handler) as (url, _):
            with pytest.raises(ClientError, match="model not found") as info:
                await call(make_target(url))
        assert info.value.status == 404 and not info.value.retryable

    asyncio.run(main())


def test_connection_dropped_mid_response() -> None:
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
        b'{"choices": [{"message": {"content": "I was cut o'
    )

    async def main() -> None:
        async with serve_raw(head) as url:
            with pytest.raises(TargetConnectionError, match=r"dropped|disconnected") as info:
                await call(make_target(url))
        assert info.value.retryable

    asyncio.run(main())


def test_connection_refused() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now.
    with pytest.raises(TargetConnectionError, match="cannot connect"):
        asyncio.run(call(make_target(f"http://127.0.0.1:{port}")))


def test_every_fault_is_a_target_error_with_a_kind() -> None:
    for cls in (RateLimitedError, ServerError, TargetTimeoutError, TargetConnectionError):
        assert issubclass(cls, TargetError) and cls.retryable
    for cls in (BadResponseError, ClientError):
        assert not cls.retryable
