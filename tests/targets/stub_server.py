"""Real HTTP servers on 127.0.0.1 for the adapter and executor tests (no mocked clients)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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
async def serve(handler: Handler) -> AsyncIterator[tuple[str, Seen]]:
    """Run ``handler`` for every path on a free loopback port; yields (base URL, Seen)."""
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
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", seen
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
