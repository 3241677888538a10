"""An answer's size is bounded: a target that sends an endless, huge or decompression-bomb body
gets a located ``bad_response`` on that case, not a process that grows until the machine kills
it (was: ``HttpSession.request`` read every body whole, gzip expanded, with no limit).

Real servers on 127.0.0.1 send each body with a Content-Length, chunked with none, and gzip.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web

from assurance_harness.datatypes import GenerationRequest
from assurance_harness.runner.executor import execute
from assurance_harness.targets.base import BadResponseError, RetryPolicy
from assurance_harness.targets.http_json import HttpJsonSpec, HttpJsonTarget
from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

from ..testing.openai_stub import completion, serve

MB = 1_000_000


def _request() -> GenerationRequest:
    return GenerationRequest(
        case_id="c1",
        sample=0,
        seed=1,
        messages=[{"role": "user", "content": "Tell me a story."}],
        params={},
    )


def _answer(words: int) -> bytes:
    return json.dumps(completion("story " * words)).encode()


def _plain(body: bytes) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(_: web.Request) -> web.StreamResponse:
        return web.Response(body=body, content_type="application/json")

    return handler


def _gzipped(body: bytes) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    packed = gzip.compress(body, compresslevel=9)

    async def handler(_: web.Request) -> web.StreamResponse:
        return web.Response(
            body=packed, content_type="application/json", headers={"Content-Encoding": "gzip"}
        )

    return handler


def _chunked(body: bytes) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), 64 * 1024):
            await response.write(body[start : start + 64 * 1024])
        await response.write_eof()
        return response

    return handler


SENDERS = {"content-length": _plain, "gzip": _gzipped, "chunked": _chunked}


async def _generate(handler, **fields: object) -> str:
    async with serve(handler) as (url, _):
        target = OpenAITarget(OpenAISpec(base_url=url + "/v1", model="m", **fields))
        await target.start()
        try:
            return (await target.generate(_request())).text
        finally:
            await target.close()


@pytest.mark.parametrize("sender", sorted(SENDERS))
def test_an_answer_over_the_limit_is_a_bad_response_naming_the_limit_and_the_fix(
    sender: str,
) -> None:
    body = _answer(400_000)  # about 2.4 MB
    with pytest.raises(BadResponseError, match=r"more than 1 MB.*max_response_mb") as info:
        asyncio.run(_generate(SENDERS[sender](body), max_response_mb=1))
    assert not info.value.retryable  # the same request would get the same answer


@pytest.mark.parametrize("sender", sorted(SENDERS))
def test_an_answer_within_the_limit_is_read_whole_and_unchanged(sender: str) -> None:
    body = _answer(100_000)  # about 0.6 MB, over several chunks
    text = asyncio.run(_generate(SENDERS[sender](body), max_response_mb=1))
    assert text == "story " * 100_000


def test_the_default_limit_stops_a_decompression_bomb() -> None:
    """64 MB of answer packed into about 60 kB: the default limit (32 MB) stops it."""
    bomb = b'{"choices": [{"message": {"content": "' + b"a" * (64 * MB) + b'"}}]}'
    with pytest.raises(BadResponseError, match="more than 32 MB"):
        asyncio.run(_generate(_gzipped(bomb)))


def test_in_a_run_the_oversized_answer_is_one_error_row_and_the_others_are_kept() -> None:
    small, big = _answer(10), _answer(400_000)

    async def handler(request: web.Request) -> web.StreamResponse:
        data = await request.json()
        huge = "long" in data["messages"][-1]["content"]
        return web.Response(body=big if huge else small, content_type="application/json")

    requests = [
        GenerationRequest(
            case_id=f"c{i}",
            sample=0,
            seed=i,
            messages=[{"role": "user", "content": "a long one" if i == 1 else "hi"}],
            params={},
        )
        for i in range(3)
    ]

    async def main() -> list:
        async with serve(handler) as (url, seen):
            target = OpenAITarget(OpenAISpec(base_url=url + "/v1", model="m", max_response_mb=1))
            records: list = []
            await target.start()
            try:
                await execute(
                    target,
                    requests,
                    on_record=records.append,
                    concurrency=2,
                    requests_per_second=None,
                    timeout_s=10.0,
                    retry=RetryPolicy(max_attempts=3, base_delay_s=0.01),
                )
            finally:
                await target.close()
            assert len(seen.bodies) == 3  # not retried
            return records

    records = {r.case_id: r for r in asyncio.run(main())}
    assert records["c1"].error is not None and records["c1"].error.type == "bad_response"
    assert "max_response_mb" in records["c1"].error.message
    assert records["c0"].error is None and records["c2"].error is None


def test_the_http_adapter_has_the_same_limit() -> None:
    async def main() -> None:
        async with serve(_chunked(json.dumps({"out": "x" * (2 * MB)}).encode())) as (url, _):
            spec = HttpJsonSpec(url=url + "/gen", response_path="out", max_response_mb=1)
            target = HttpJsonTarget(spec)
            await target.start()
            try:
                with pytest.raises(BadResponseError, match="more than 1 MB"):
                    await target.generate(_request())
            finally:
                await target.close()

    asyncio.run(main())


def test_the_default_limit_leaves_fingerprints_as_they_were_and_a_set_one_is_recorded() -> None:
    """Runs of the same endpoint before this setting existed keep their fingerprint (cache,
    baselines); a limit someone set is part of the target's record, like its timeout."""
    plain = OpenAITarget(OpenAISpec(base_url="http://127.0.0.1:1/v1", model="m"))
    assert "max_response_mb" not in plain.public_config()
    assert plain.fingerprint() == "95a476109a180c52"  # as computed before the setting existed
    http = HttpJsonTarget(HttpJsonSpec(url="http://127.0.0.1:1/gen", response_path="out"))
    assert http.fingerprint() == "dae172d6849cdf0b"
    limited = OpenAITarget(
        OpenAISpec(base_url="http://127.0.0.1:1/v1", model="m", max_response_mb=100)
    )
    assert limited.public_config()["max_response_mb"] == 100
    assert limited.fingerprint() != plain.fingerprint()
