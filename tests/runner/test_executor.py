"""The executor against a real loopback server: the concurrency cap, the rate cap, the cache,
errors as data, completion order and cancellation."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationRequest, GenerationResponse, ResponseRecord
from assurance_harness.runner.cachekeys import cache_keys
from assurance_harness.runner.executor import ExecutionStats, execute
from assurance_harness.runner.ratelimit import TokenBucket
from assurance_harness.runner.retry import backoff_delay, should_retry
from assurance_harness.store.cache import ResponseCache
from assurance_harness.targets.base import (
    ClientError,
    RetryPolicy,
    ServerError,
    Target,
    TargetSpec,
    TargetTimeoutError,
)
from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

from ..testing.openai_stub import Seen, echo_handler, serve


@asynccontextmanager
async def server(
    delay: Callable[[dict], float] = lambda body: 0.0,
    status: Callable[[dict], int] = lambda body: 200,
) -> AsyncIterator[tuple[str, Seen]]:
    """The shared stub answering ``echo <user turn>`` after ``delay(body)`` seconds; yields the
    ``/v1`` base URL and what the server saw (arrival times, bodies, requests in flight)."""
    async with serve(echo_handler(delay, status)) as (url, seen):
        yield f"{url}/v1", seen


def requests_for(n: int, prefix: str = "q") -> list[GenerationRequest]:
    return [
        GenerationRequest(
            case_id=f"{prefix}{i}",
            sample=0,
            seed=i,
            messages=[{"role": "user", "content": f"{prefix}{i}"}],
            params={},
        )
        for i in range(n)
    ]


async def run(
    url: str,
    requests: list[GenerationRequest],
    *,
    concurrency: int = 4,
    rps: float | None = None,
    cache: ResponseCache | None = None,
    records: list[ResponseRecord] | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> tuple[ExecutionStats, list[ResponseRecord]]:
    out = [] if records is None else records
    target = OpenAITarget(OpenAISpec(base_url=url, model="echo", concurrency=concurrency))
    await target.start()
    try:
        stats = await execute(
            target,
            requests,
            concurrency=concurrency,
            requests_per_second=rps,
            timeout_s=5,
            retry=RetryPolicy(max_attempts=3, base_delay_s=0.01),
            on_record=out.append,
            cache=cache,
            progress=progress,
        )
    finally:
        await target.close()
    return stats, out


def test_concurrency_limit_is_respected_and_reached() -> None:
    async def main() -> None:
        async with server(delay=lambda _: 0.03) as (url, srv):
            stats, records = await run(url, requests_for(40), concurrency=5)
            assert srv.max_in_flight == 5
        assert stats.succeeded == 40 and len(records) == 40
        assert {r.case_id for r in records} == {f"q{i}" for i in range(40)}
        assert all(r.response == f"echo {r.case_id}" for r in records)

    asyncio.run(main())


def test_requests_per_second_limit_is_respected() -> None:
    async def main() -> None:
        async with server() as (url, srv):
            t0 = time.monotonic()
            stats, _ = await run(url, requests_for(12), concurrency=12, rps=20)
            elapsed = time.monotonic() - t0
            arrivals = sorted(srv.times)
        # A burst of one, then one token every 50 ms: 12 requests need at least 0.55 s.
        assert elapsed >= 0.5
        assert arrivals[-1] - arrivals[0] >= 0.5
        # No window of 0.25 s holds more than the rate allows (plus the burst and jitter).
        for i, start in enumerate(arrivals):
            window = [a for a in arrivals[i:] if a - start < 0.25]
            assert len(window) <= 7
        assert stats.succeeded == 12

    asyncio.run(main())


def test_cache_hits_skip_the_server(tmp_path: Path) -> None:
    async def main() -> None:
        async with server() as (url, srv):
            with ResponseCache(tmp_path / "cache.db") as cache:
                first, first_records = await run(url, requests_for(6), cache=cache)
            assert len(srv.bodies) == 6 and first.cached == 0
            # A new cache object on the same file (as a second run would open it).
            with ResponseCache(tmp_path / "cache.db") as cache:
                second, second_records = await run(url, requests_for(6), cache=cache)
                assert len(srv.bodies) == 6  # nothing sent
                # A different conversation misses and is sent.
                third, _ = await run(url, requests_for(2, prefix="new"), cache=cache)
            assert len(srv.bodies) == 8
        assert second.cached == 6 and second.attempts == 0
        assert third.cached == 0
        by_id = {r.case_id: r for r in first_records}
        for record in second_records:
            assert record.cached and record.attempts == 0
            assert record.response == by_id[record.case_id].response
            assert record.model_version == "echo-1"

    asyncio.run(main())


def test_errors_are_recorded_as_data_and_the_run_goes_on() -> None:
    progress: list[tuple[int, int, int]] = []

    def status(body: dict) -> int:
        content = body["messages"][-1]["content"]
        return {"q3": 400, "q5": 500}.get(content, 200)

    async def main() -> None:
        async with server(status=status) as (url, _):
            stats, records = await run(url, requests_for(8), progress=lambda *a: progress.append(a))
        by_id = {r.case_id: r for r in records}
        assert by_id["q3"].error is not None and by_id["q3"].error.type == "client_error"
        assert by_id["q3"].error.status == 400 and by_id["q3"].attempts == 1
        assert by_id["q5"].error is not None and by_id["q5"].error.type == "server_error"
        assert by_id["q5"].attempts == 3  # retried up to max_attempts
        assert by_id["q0"].response == "echo q0"
        assert stats.succeeded == 6 and stats.errors == 2
        assert stats.errors_by_type == {"client_error": 1, "server_error": 1}
        assert progress[-1] == (8, 8, 2)
        assert [p[0] for p in progress] == list(range(1, 9))

    asyncio.run(main())


def test_records_arrive_in_completion_order() -> None:
    delays = {"q0": 0.3, "q1": 0.0, "q2": 0.15}

    async def main() -> None:
        async with server(delay=lambda b: delays[b["messages"][-1]["content"]]) as (url, _):
            _, records = await run(url, requests_for(3), concurrency=3)
        assert [r.case_id for r in records] == ["q1", "q2", "q0"]

    asyncio.run(main())


def test_cancellation_stops_promptly_without_records_for_unfinished_requests() -> None:
    def delay(body: dict) -> float:
        return 0.0 if body["messages"][-1]["content"] in {"q0", "q1"} else 30.0

    async def main() -> None:
        records: list[ResponseRecord] = []
        async with server(delay=delay) as (url, _):
            task = asyncio.create_task(run(url, requests_for(10), concurrency=4, records=records))
            await asyncio.sleep(0.5)
            t0 = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert time.monotonic() - t0 < 1.0
        assert sorted(r.case_id for r in records) == ["q0", "q1"]

    asyncio.run(main())


class Flaky(Target):
    """An in-process target for executor logic that needs no HTTP: raises a chosen error."""

    type = "flaky-test"

    def __init__(self, errors: list[Exception]) -> None:
        super().__init__(TargetSpec(type="flaky-test"))
        self.errors = errors
        self.calls = 0

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return GenerationResponse(text="ok")


def execute_simple(target: Target, on_record: Callable[[ResponseRecord], None]) -> Awaitable:
    return execute(
        target,
        requests_for(1),
        concurrency=1,
        requests_per_second=None,
        timeout_s=1,
        retry=RetryPolicy(max_attempts=3, base_delay_s=0.0),
        on_record=on_record,
    )


def test_unexpected_exceptions_are_recorded_not_retried() -> None:
    records: list[ResponseRecord] = []
    target = Flaky([RuntimeError("adapter bug")])
    asyncio.run(execute_simple(target, records.append))
    assert target.calls == 1
    assert records[0].error is not None
    assert records[0].error.type == "exception" and "adapter bug" in records[0].error.message


def test_a_failing_on_record_stops_the_run() -> None:
    def on_record(_: ResponseRecord) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        asyncio.run(execute_simple(Flaky([]), on_record))


def test_backoff_is_full_jitter_capped_and_floored_by_retry_after() -> None:
    policy = RetryPolicy(max_attempts=5, base_delay_s=0.5, max_delay_s=4.0)
    rng = random.Random(0)
    delays = [backoff_delay(policy, 3, rng=rng) for _ in range(500)]
    assert 0 <= min(delays) < 0.2 and 1.8 < max(delays) <= 2.0  # uniform on [0, 0.5 * 2^2]
    assert all(backoff_delay(policy, 10, rng=rng) <= 4.0 for _ in range(100))
    assert backoff_delay(policy, 1, retry_after=3.0, rng=rng) >= 3.0
    assert backoff_delay(policy, 1, retry_after=3600, rng=rng) == 4.0
    assert should_retry(ServerError("x"), attempt=4, policy=policy)
    assert not should_retry(ServerError("x"), attempt=5, policy=policy)
    assert not should_retry(ClientError("x"), attempt=1, policy=policy)


def test_token_bucket_spacing() -> None:
    async def main() -> list[float]:
        bucket = TokenBucket(50)
        stamps = []
        for _ in range(6):
            await bucket.acquire()
            stamps.append(time.monotonic())
        return stamps

    stamps = asyncio.run(main())
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.018  # 20 ms per token, minus timer slack


def test_records_serialise_as_journal_lines() -> None:
    records: list[ResponseRecord] = []
    asyncio.run(execute_simple(Flaky([ServerError("hiccup", status=502)]), records.append))
    line = json.dumps(records[0].to_dict())
    again = ResponseRecord.from_dict(json.loads(line))
    assert again == records[0] and again.attempts == 2 and again.response == "ok"


def test_connection_pool_is_sized_from_the_spec_at_start() -> None:
    """A runner that overrides concurrency sets it on the spec before start(); the pool
    follows, so the override is not silently capped at the file's value."""

    async def main() -> tuple[int, int]:
        seen = []
        for override in (False, True):
            async with server(delay=lambda _: 0.05) as (url, srv):
                target = OpenAITarget(OpenAISpec(base_url=url, model="echo", concurrency=2))
                if override:
                    target.spec.concurrency = 6
                await target.start()
                try:
                    await execute(
                        target,
                        requests_for(12),
                        concurrency=6,
                        requests_per_second=None,
                        timeout_s=5,
                        retry=RetryPolicy(),
                        on_record=lambda _: None,
                    )
                finally:
                    await target.close()
                seen.append(srv.max_in_flight)
        return seen[0], seen[1]

    capped, overridden = asyncio.run(main())
    assert capped == 2 and overridden == 6


def test_lone_surrogates_in_a_reply_become_replacement_characters() -> None:
    from assurance_harness.runner.executor import valid_unicode

    assert valid_unicode("cut mid-emoji \ud83d") == "cut mid-emoji \ufffd"
    assert valid_unicode("pair \ud83d\ude00 joined") == "pair 😀 joined"
    assert valid_unicode("plain ünïcode") == "plain ünïcode"


class Instant(Target):
    """Answers without ever suspending, as a replay does."""

    type = "instant-test"

    def __init__(self) -> None:
        super().__init__(TargetSpec(type="instant-test"))

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        return GenerationResponse(text="ok")


async def _send_to_instant(
    requests: list[GenerationRequest],
    on_record: Callable[[ResponseRecord], None],
    cache: ResponseCache | None = None,
) -> ExecutionStats:
    """``requests`` sent to an :class:`Instant` target, 8 at a time, no retries."""
    return await execute(
        Instant(),
        requests,
        concurrency=8,
        requests_per_second=None,
        timeout_s=60,
        retry=RetryPolicy(max_attempts=1),
        on_record=on_record,
        cache=cache,
    )


def test_a_target_that_never_suspends_does_not_pile_up_timeout_timers() -> None:
    """Each request's timeout makes a timer; cancelled timers are freed when the event loop
    runs, which it never did while workers sent to a target that answers without suspending
    (about 500 bytes a request held to the end: 500 MB of a 1M-case replay run)."""
    import tracemalloc

    n = 6000
    requests = [GenerationRequest(f"c{i}", 0, 0, [], {}) for i in range(n)]

    tracemalloc.start()
    try:
        asyncio.run(_send_to_instant(requests, on_record=lambda record: None))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * n  # was about 1.3 MB here (over 200 bytes a request)


class Stepwise(Target):
    """Suspends at chosen points (a future, a bare yield, a long sleep), or blocks first."""

    type = "stepwise-test"

    def __init__(self, *, block_s: float = 0.0, sleep_s: float = 0.0) -> None:
        super().__init__(TargetSpec(type="stepwise-test"))
        self.block_s = block_s
        self.sleep_s = sleep_s
        self.cleaned: list[str] = []

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        time.sleep(self.block_s)  # work before the first suspension (building a request)
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        loop.call_soon(future.set_result, "from a future")
        text = await future
        await asyncio.sleep(0)
        try:
            await asyncio.sleep(self.sleep_s)
        except asyncio.CancelledError:
            self.cleaned.append(request.case_id)
            raise
        return GenerationResponse(text=f"{text} {request.case_id}")


def _execute(target: Target, n: int, timeout_s: float) -> tuple[ExecutionStats, list]:
    records: list[ResponseRecord] = []
    stats = asyncio.run(
        execute(
            target,
            requests_for(n),
            concurrency=2,
            requests_per_second=None,
            timeout_s=timeout_s,
            retry=RetryPolicy(max_attempts=1),
            on_record=records.append,
        )
    )
    return stats, sorted(records, key=lambda r: r.case_id)


def test_a_target_that_suspends_is_awaited_under_its_timeout_as_before() -> None:
    """The executor runs a call to its first suspension itself (no timer for a target that
    answers at once) and awaits the rest under the timeout, from the same deadline: a call
    that suspends gets its value; one that sleeps past the timeout is cancelled (its own
    clean-up runs) and recorded as a timeout; blocking work before the first suspension counts
    against the deadline as it did."""
    stats, records = _execute(Stepwise(), 3, timeout_s=5)
    assert [r.response for r in records] == [f"from a future q{i}" for i in range(3)]
    assert stats.succeeded == 3

    slow = Stepwise(sleep_s=30)
    started = time.monotonic()
    stats, records = _execute(slow, 2, timeout_s=0.2)
    assert time.monotonic() - started < 5
    assert [r.error.type if r.error else None for r in records] == ["timeout", "timeout"]
    assert sorted(slow.cleaned) == ["q0", "q1"]

    blocking = Stepwise(block_s=0.3, sleep_s=0.0)
    stats, records = _execute(blocking, 1, timeout_s=0.2)
    assert records[0].error is not None and records[0].error.type == "timeout"


class FutureTarget(Target):
    """``generate`` returns an awaitable that is not a coroutine (a future)."""

    type = "future-test"

    def __init__(self) -> None:
        super().__init__(TargetSpec(type="future-test"))

    def generate(self, request: GenerationRequest) -> asyncio.Future:  # type: ignore[override]
        future = asyncio.get_running_loop().create_future()
        future.set_result(GenerationResponse(text=f"done {request.case_id}"))
        return future


def test_a_target_answering_at_once_or_with_a_future_gets_its_records() -> None:
    stats, records = _execute(Instant(), 4, timeout_s=5)
    assert [r.response for r in records] == ["ok"] * 4 and stats.errors == 0
    stats, records = _execute(FutureTarget(), 2, timeout_s=5)
    assert [r.response for r in records] == ["done q0", "done q1"]
    flaky = Flaky([TargetTimeoutError("slow"), RuntimeError("bug")])
    stats, records = _execute(flaky, 2, timeout_s=5)
    assert sorted(r.error.type for r in records if r.error) == ["exception", "timeout"]


def test_the_cache_is_read_in_batches_not_a_query_a_request(tmp_path: Path) -> None:
    """Observed: every request read the cache with a query of its own; against a fast target
    (the demo assistant) that cost a third of a 10,000-case run's sending time. Which keys
    are stored is now read ahead, a batch of requests a query, so a miss costs no query of its
    own (a hit still reads its answer), and the answers are the same: hits for what an earlier
    run stored, misses (sent) for the rest."""
    n = 1000
    requests = [
        GenerationRequest(f"c{i}", 0, 0, [{"role": "user", "content": f"q{i}"}], {})
        for i in range(n)
    ]
    path = tmp_path / "cache.db"
    with ResponseCache(path) as earlier:  # an earlier run answered every third request
        key = cache_keys(Instant())  # the run's own rule (a plugin: keyed on the case id)
        for request in requests[::3]:
            earlier.put(key(request), GenerationResponse(text="stored"))
    records: list[ResponseRecord] = []

    with ResponseCache(path) as cache:
        reads: list[str] = []
        assert cache._db is not None
        cache._db.set_trace_callback(
            lambda sql: reads.append(sql) if sql.lstrip().upper().startswith("SELECT") else None
        )
        stats = asyncio.run(_send_to_instant(requests, on_record=records.append, cache=cache))
    hits = len(requests[::3])
    assert len(reads) <= hits + 10, len(reads)  # was 1,000: a query a request
    assert stats.cached == len(requests[::3]) == cache.hits
    by_id = {r.case_id: r for r in records}
    assert len(by_id) == n
    for i, request in enumerate(requests):
        record = by_id[request.case_id]
        assert (record.response, record.cached) == (
            ("stored", True) if i % 3 == 0 else ("ok", False)
        )
