"""The one OpenAI-compatible stub server for tests: real HTTP on 127.0.0.1, no mocked clients.

``serve`` runs any aiohttp handler and records what arrived; ``echo_handler`` answers chat
completions with the last user turn; ``ThreadedServer`` runs the same thing on a background
loop for tests that drive the CLI in a subprocess (the test itself then blocks).
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from assurance_harness.datatypes import GenerationRequest, GenerationResponse, ResponseRecord
from assurance_harness.runner.executor import execute
from assurance_harness.targets.base import RetryPolicy, Target
from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ONE_REQUEST = GenerationRequest(
    case_id="c1", sample=0, seed=1, messages=[{"role": "user", "content": "hi"}], params={}
)
"""The request ``send_once`` sends."""


async def send_once(target: Target, *, retry: RetryPolicy | None = None) -> ResponseRecord:
    """One request (``ONE_REQUEST``) through ``target``, started and closed here, by the run's
    own executor: the record a run would journal. ``retry``: one attempt unless given."""
    records: list[ResponseRecord] = []
    await target.start()
    try:
        await execute(
            target,
            [ONE_REQUEST],
            on_record=records.append,
            concurrency=1,
            requests_per_second=None,
            timeout_s=5.0,
            retry=retry or RetryPolicy(max_attempts=1),
        )
    finally:
        await target.close()
    return records[0]


def completion(text: str = "Hello there!", model: str = "stub-model-7") -> dict[str, Any]:
    """A chat-completions answer in the OpenAI shape."""
    return {
        "id": "cmpl-1",
        "object": "chat.completion",
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
    }


@dataclass
class Seen:
    """What the server received, for assertions."""

    bodies: list[Any] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    queries: list[dict[str, str]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0


@asynccontextmanager
async def serve(
    handler: Handler, *, tls: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[str, Seen]]:
    """Run ``handler`` for every path on a free loopback port; yields (base URL, Seen).
    ``tls``: serve HTTPS with this server context."""
    seen = Seen()

    async def recording(request: web.Request) -> web.StreamResponse:
        seen.times.append(time.monotonic())
        raw = await request.read()
        try:
            seen.bodies.append(json.loads(raw) if raw else None)
        except ValueError:
            seen.bodies.append(raw)
        seen.headers.append(dict(request.headers))
        seen.queries.append(dict(request.query))
        seen.in_flight += 1
        seen.max_in_flight = max(seen.max_in_flight, seen.in_flight)
        try:
            return await handler(request)
        finally:
            seen.in_flight -= 1

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recording)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


@asynccontextmanager
async def serve_raw(reply: bytes) -> AsyncIterator[str]:
    """A bare TCP server that reads the request head, writes ``reply`` and hangs up: for
    faults aiohttp.web would never produce (a body cut off mid-way)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers=headers,
        content_type="application/json",
    )


def answer_to(body: Any, make_target: Callable[[str], Target] | None = None) -> GenerationResponse:
    """The ``GenerationResponse`` a target gives when its server answers every request with
    ``body`` (JSON): one plain request ("hi"). ``make_target``: the target for the server's
    base URL (default: an ``openai`` target at ``URL/v1``, model "m")."""

    async def handler(_: web.Request) -> web.Response:
        return json_response(body)

    async def main() -> GenerationResponse:
        async with serve(handler) as (url, _):
            target = (
                make_target(url)
                if make_target is not None
                else OpenAITarget(OpenAISpec(base_url=url + "/v1", model="m"))
            )
            await target.start()
            try:
                return await target.generate(
                    GenerationRequest(
                        case_id="c1",
                        sample=0,
                        seed=0,
                        messages=[{"role": "user", "content": "hi"}],
                        params={},
                    )
                )
            finally:
                await target.close()

    return asyncio.run(main())


def echo_handler(
    delay: Callable[[dict[str, Any]], float] = lambda body: 0.0,
    status: Callable[[dict[str, Any]], int] = lambda body: 200,
    *,
    model: str = "echo-1",
) -> Handler:
    """Answer a chat completion with ``echo <last user turn>`` after ``delay(body)`` seconds,
    or fail with ``status(body)`` when that is not 200."""

    async def chat(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        await asyncio.sleep(delay(body))
        code = status(body)
        if code != 200:
            return web.Response(status=code, text="refused")
        text = body["messages"][-1]["content"]
        return json_response(completion(f"echo {text}", model=model))

    return chat


def prompts_seen(seen: Seen) -> Counter[str]:
    """How many times each last user turn was sent (resume tests: nothing is sent twice)."""
    return Counter(
        body["messages"][-1]["content"] for body in list(seen.bodies) if isinstance(body, dict)
    )


class ThreadedServer:
    """``serve(handler)`` on its own event loop in a daemon thread, as a sync context manager.

    ``base_url`` ends in ``/v1`` (what a target file's ``base_url`` wants); ``tls``: serve
    HTTPS with this server context.
    """

    def __init__(
        self, handler: Handler | None = None, *, tls: ssl.SSLContext | None = None
    ) -> None:
        self._handler = handler or echo_handler()
        self._tls = tls
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._context: AbstractAsyncContextManager[tuple[str, Seen]] | None = None
        self.url = ""
        self.seen = Seen()

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        self._context = serve(self._handler, tls=self._tls)
        started = asyncio.run_coroutine_threadsafe(self._context.__aenter__(), self._loop)
        self.url, self.seen = started.result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._context is not None
        stopped = asyncio.run_coroutine_threadsafe(
            self._context.__aexit__(None, None, None), self._loop
        )
        stopped.result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
