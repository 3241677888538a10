"""A token bucket that caps the request rate across all workers of one run."""

from __future__ import annotations

import asyncio
import time


class TokenBucket:
    """``rate`` tokens per second, bursts of at most ``burst``; ``acquire()`` waits for one.

    Waiters are served in arrival order (an asyncio.Lock is FIFO), so no worker starves; the
    default burst of one keeps the rate even instead of front-loading a second's worth of
    requests onto a server that is rate limiting per second.
    """

    def __init__(self, rate: float, *, burst: float = 1.0) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst)
        self._tokens = self.burst
        self._updated = time.monotonic()
        self._lock = asyncio.Lock()

    def _refill(self, now: float) -> None:
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def acquire(self) -> None:
        async with self._lock:
            self._refill(time.monotonic())
            if self._tokens < 1.0:
                await asyncio.sleep((1.0 - self._tokens) / self.rate)
                self._refill(time.monotonic())
            self._tokens -= 1.0
