"""Start the web app on 127.0.0.1 in a background thread for a test; it stops by itself."""

from __future__ import annotations

import asyncio
import socket
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

from assurance_harness.ui.app import Settings, make_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_page(url: str) -> str:
    """The page at ``url`` as text (an HTTP error status raises, as urlopen does)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


@contextmanager
def serving(settings: Settings, *, app_host: str = "127.0.0.1") -> Iterator[str]:
    """``app_host``: the ``--host`` the app is made for (what Host headers it takes); it is
    served on 127.0.0.1 whatever it is, so a test never listens on the network."""
    port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(make_app(settings, host=app_host, port=port))
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10), "the app did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
