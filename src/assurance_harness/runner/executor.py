"""Send generation requests to a target: bounded concurrency, a request-rate cap, per-request
timeouts, retries of transient failures, and the response cache.

A fixed pool of ``concurrency`` workers pulls from one iterator, so memory stays flat however
many requests a run has (no task per request). Each finished request becomes a
:class:`ResponseRecord` handed to ``on_record`` at once, in completion order; the caller
persists it. Failures after the last retry are records with an ``error``: the run goes on.
Cancellation stops the workers promptly, and requests still in flight produce no record.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..model import ErrorInfo, GenerationRequest, GenerationResponse, ResponseRecord
from ..store.cache import ResponseCache, key_for
from ..targets.base import RetryPolicy, Target, TargetError, TargetTimeoutError
from .ratelimit import TokenBucket
from .retry import backoff_delay, should_retry

OnRecord = Callable[[ResponseRecord], None]
Progress = Callable[[int, int, int], None]
T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when it is installed (it cuts the harness's CPU per request by about
    a quarter; see BENCHMARKS.md), else None for asyncio's default loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop  # type: ignore[no-any-return]


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on the fastest available event loop; Ctrl-C cancels ``coro`` cleanly."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(coro)


@dataclass
class ExecutionStats:
    """What one ``execute`` call did."""

    total: int = 0
    """Requests given."""
    completed: int = 0
    """Records produced (successes plus errors); less than ``total`` only when cancelled."""
    succeeded: int = 0
    errors: int = 0
    cached: int = 0
    """Records served from the cache without calling the target."""
    attempts: int = 0
    """Calls made to the target, retries included."""
    retries: int = 0
    wall_s: float = 0.0
    errors_by_type: dict[str, int] = field(default_factory=dict)


class _UnexpectedError(TargetError):
    """A non-TargetError exception from an adapter or user function: a bug, not a transient
    fault, so it is recorded and not retried."""

    kind = "exception"


async def execute(
    target: Target,
    requests: Sequence[GenerationRequest],
    *,
    concurrency: int,
    requests_per_second: float | None,
    timeout_s: float,
    retry: RetryPolicy,
    on_record: OnRecord,
    cache: ResponseCache | None = None,
    progress: Progress | None = None,
    rng: random.Random | None = None,
) -> ExecutionStats:
    """Send ``requests`` to a started ``target`` and report each outcome through ``on_record``.

    ``progress(done, total, errors)`` is called after each record. The caller owns the
    target's ``start()``/``close()`` and the cache's ``close()``; buffered cache writes are
    flushed before this returns, also on cancellation. An exception raised by ``on_record``
    (say, the disk is full) stops the run and propagates: a record that cannot be persisted
    must not be counted as done.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    stats = ExecutionStats(total=len(requests))
    errors_by_type: Counter[str] = Counter()
    limiter = TokenBucket(requests_per_second) if requests_per_second else None
    fingerprint = target.fingerprint() if cache is not None else ""
    jitter = rng or random.Random()
    pending: Iterator[GenerationRequest] = iter(requests)
    started = time.perf_counter()

    async def attempt_once(request: GenerationRequest) -> GenerationResponse:
        if limiter is not None:
            await limiter.acquire()
        stats.attempts += 1
        try:
            async with asyncio.timeout(timeout_s):
                return await target.generate(request)
        except TimeoutError:
            raise TargetTimeoutError(f"no response within {timeout_s:g}s") from None
        except TargetError:
            raise
        except Exception as exc:
            raise _UnexpectedError(f"{exc.__class__.__name__}: {exc}") from exc

    async def run_one(request: GenerationRequest) -> ResponseRecord:
        key = ""
        if cache is not None:
            key = key_for(fingerprint, request)
            hit = cache.get(key)
            if hit is not None:
                return _record(request, hit, attempts=0, latency_s=0.0, cached=True)
        attempt = 0
        while True:
            attempt += 1
            t0 = time.perf_counter()
            try:
                response = await attempt_once(request)
            except TargetError as error:
                if should_retry(error, attempt=attempt, policy=retry):
                    stats.retries += 1
                    delay = backoff_delay(retry, attempt, retry_after=error.retry_after, rng=jitter)
                    await asyncio.sleep(delay)
                    continue
                return ResponseRecord(
                    case_id=request.case_id,
                    sample=request.sample,
                    seed=request.seed,
                    response=None,
                    error=ErrorInfo(type=error.kind, message=str(error), status=error.status),
                    attempts=attempt,
                    latency_s=round(time.perf_counter() - t0, 6),
                )
            latency = time.perf_counter() - t0
            response.text = valid_unicode(response.text)
            if cache is not None:
                cache.put(key, response)
            return _record(request, response, attempts=attempt, latency_s=latency, cached=False)

    async def worker() -> None:
        for request in pending:
            record = await run_one(request)
            stats.completed += 1
            if record.error is not None:
                stats.errors += 1
                errors_by_type[record.error.type] += 1
            else:
                stats.succeeded += 1
                if record.cached:
                    stats.cached += 1
            on_record(record)
            if progress is not None:
                progress(stats.completed, stats.total, stats.errors)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, max(1, len(requests)))):
                group.create_task(worker())
    except BaseExceptionGroup as group_error:
        # Surface the first real failure (on_record's, typically) rather than the group.
        raise group_error.exceptions[0] from None
    finally:
        stats.wall_s = time.perf_counter() - started
        stats.errors_by_type = dict(errors_by_type)
        if cache is not None:
            cache.flush()
    return stats


def valid_unicode(text: str) -> str:
    """Replace lone UTF-16 surrogates (a reply cut mid-emoji, say) with U+FFFD.

    Python strings may hold them, but UTF-8 cannot: left in, the journal, the cache and every
    tokenizer downstream would fail on the whole run for one bad character. Proper pairs
    written as two escapes are joined into the character they encode.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _record(
    request: GenerationRequest,
    response: GenerationResponse,
    *,
    attempts: int,
    latency_s: float,
    cached: bool,
) -> ResponseRecord:
    return ResponseRecord(
        case_id=request.case_id,
        sample=request.sample,
        seed=request.seed,
        response=response.text,
        attempts=attempts,
        latency_s=round(latency_s, 6),
        cached=cached,
        model_version=response.model_version,
        finish_reason=response.finish_reason,
    )
