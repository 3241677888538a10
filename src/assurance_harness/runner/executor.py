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
import itertools
import random
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from types import CoroutineType
from typing import Any, TypeVar

from ..datatypes import ErrorInfo, GenerationRequest, GenerationResponse, ResponseRecord
from ..errors import HarnessError
from ..scrub import scrub_json
from ..store.cache import ResponseCache
from ..targets.base import (
    BadResponseError,
    RetryPolicy,
    Target,
    TargetError,
    TargetTimeoutError,
    describe,
    error_text,
    stops_the_run,
)
from .cachekeys import cache_keys
from .ratelimit import TokenBucket
from .retry import backoff_delay, should_retry

OnRecord = Callable[[ResponseRecord], None]
Progress = Callable[[int, int, int], None]
T = TypeVar("T")
YIELD_EVERY = 256
"""Requests a worker sends before it lets the event loop run its housekeeping."""


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when it is installed (it cuts the harness's CPU per request by about
    a quarter; see BENCHMARKS.md), else None for asyncio's default loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop  # type: ignore[no-any-return]


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on the fastest available event loop; Ctrl-C cancels ``coro`` cleanly, and
    a second one during a run forces the stop (``forcestop``)."""
    from .forcestop import deferred, escalating, python_handler

    runner = asyncio.Runner(loop_factory=loop_factory())
    interrupted = False
    try:
        with python_handler():
            return runner.run(escalating(coro))
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        with deferred():  # the loop closes before an interrupt meanwhile stops the run
            try:
                runner.close()
            except RuntimeError:
                # uvloop leaves a loop an interrupt left "running": it cannot be closed, and
                # the interrupt, not this, is what happened.
                if not interrupted:
                    raise


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


PROBE_CONFIRMATIONS = 3
"""Live requests that must fail the same non-transient way before a run stops sending."""
STREAK_LIMIT = 20
"""Requests in a row, past the probe, that must fail the same target-wide way (a key revoked
mid-run, the endpoint gone or hung: ``target_down_signature``) before a run stops sending; at
least twice the concurrency, so the requests already in flight when it happens cannot make it
alone."""


class TargetUnusableError(HarnessError):
    """The first requests all failed the same way that retrying cannot fix (connection refused,
    401/403/404, an unknown model): the run stops instead of sending the rest to fail too."""

    exit_code = 3

    def __init__(
        self, message: str, *, sent: int, total: int, timeout_s: float | None = None
    ) -> None:
        super().__init__(message)
        self.sent = sent
        self.total = total
        self.timeout_s = timeout_s
        """Set when requests in a row got no answer within this timeout: the way on then
        includes raising it in the target file (the endpoint may only be slow)."""


_MODEL_MISSING = re.compile(
    r"model.*(not found|does not exist|not exist|unknown|no such|not served|invalid)"
    r"|(unknown|invalid|no such) model",
    re.IGNORECASE | re.DOTALL,
)


_TARGET_WIDE_STATUSES = frozenset({301, 302, 303, 307, 308, 401, 403, 404, 405})
"""Client errors that say the endpoint is wrong for every prompt: a refused key, a wrong path,
and a redirect not followed (one that drops the body, goes to another host, or loops; the HTTP
adapters follow only 307/308 on the same host, so a 307/308 error is one of those)."""


def fatal_signature(record: ResponseRecord) -> tuple[str, int | None] | None:
    """What a failed request's error says about the target as a whole, when it is something
    no retry or other prompt can fix; None for successes and per-request or transient errors
    (a 400 for one prompt's content, a timeout, a 5xx)."""
    error = record.error
    if error is None or record.cached:
        return None
    if error.type == "connection_error" and (
        "cannot connect" in error.message or "refused" in error.message.lower()
    ):
        return (error.type, None)
    if error.type == "client_error" and error.status in _TARGET_WIDE_STATUSES:
        return (error.type, error.status)
    if error.type == "client_error" and error.status in (400, 422):
        if _MODEL_MISSING.search(error.message):
            return (error.type, error.status)
        return None
    if error.type in ("bad_response", "template_error"):
        return (error.type, error.status)
    return None


def target_down_signature(record: ResponseRecord) -> tuple[str, int | None] | None:
    """:func:`fatal_signature`, for the failures that say the target as a whole stopped
    answering (a refused connection, 401/403/404, an unknown model), not for answers that could
    not be read or requests that could not be made: those depend on the prompt too (a
    guardrail answering its blocked prompts in another shape, a template field some rows lack),
    and a dataset sorted by category puts many in a row. A run is stopped mid-way only for the
    former; the probe, before anything was answered, stops for either.

    A request that got no answer within timeout_s, retries included, counts here too (a hung
    endpoint otherwise takes every request's timeouts and retries: 16 hours for 2,000 cases at
    the defaults), but not for the probe: a few prompts that take too long say nothing of the
    others, and only a streak longer than the requests in flight says the endpoint is gone. A
    server's own 408 is an answer, and stays transient."""
    if _timed_out(record):
        return ("timeout", None)
    signature = fatal_signature(record)
    if signature is None or signature[0] in ("bad_response", "template_error"):
        return None
    return signature


def _timed_out(record: ResponseRecord) -> bool:
    """No answer within timeout_s (the runner's timer or the adapter's own), not a 408."""
    error = record.error
    return (
        error is not None and error.type == "timeout" and error.status is None and not record.cached
    )


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
    probe: bool = False,
) -> ExecutionStats:
    """Send ``requests`` to a started ``target`` and report each outcome through ``on_record``.

    ``progress(done, total, errors)`` is called after each record. The caller owns the
    target's ``start()``/``close()`` and the cache's ``close()``; buffered cache writes are
    flushed before this returns, also on cancellation. An exception raised by ``on_record``
    (say, the disk is full) stops the run and propagates: a record that cannot be persisted
    must not be counted as done.

    ``probe``: send requests one at a time until one reaches the target; when it fails in a
    way no retry can fix, confirm with up to two more (not retried), and when they all fail
    the same way raise :class:`TargetUnusableError` before the bulk is sent. Those failed
    probe records are not passed to ``on_record``, so a resume sends them again.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    stats = ExecutionStats(total=len(requests))
    errors_by_type: Counter[str] = Counter()
    limiter = TokenBucket(requests_per_second) if requests_per_second else None
    jitter = rng or random.Random()
    keys = cache_keys(target) if cache is not None else None
    pending = _with_cache_keys(requests, cache, keys)
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    endpoint = target.endpoint()
    waited_on = f" from {endpoint}" if endpoint else ""

    async def attempt_once(request: GenerationRequest) -> GenerationResponse:
        if limiter is not None:
            await limiter.acquire()
        stats.attempts += 1
        try:
            deadline = loop.time() + timeout_s
            call = target.generate(request)
            if type(call) is not CoroutineType:
                async with asyncio.timeout_at(deadline):
                    return await call
            # A local target (a replay) answers without suspending: then no timer is set (the
            # timeout could not interrupt it anyway). Else the call goes on under the timeout,
            # from the same deadline, as if awaited from the start.
            try:
                waiting = call.send(None)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            async with asyncio.timeout_at(deadline):
                return await _Suspended(call, waiting)
        except TimeoutError:
            # Named as the adapter's own timeout names it: the two timers share the deadline,
            # and which fires first depends on the scheduling.
            raise TargetTimeoutError(f"no response within {timeout_s:g}s{waited_on}") from None
        except TargetError:
            raise
        except BaseException as exc:  # SystemExit too: one request's failure, not the run's
            if stops_the_run(exc):
                raise
            raise _UnexpectedError(describe(exc)) from exc

    async def run_one(
        request: GenerationRequest, key: str, policy: RetryPolicy = retry
    ) -> ResponseRecord:
        if cache is not None:
            hit = cache.get(key)
            if hit is not None:
                return _record(request, hit, attempts=0, latency_s=0.0, cached=True)
        attempt = 0
        while True:
            attempt += 1
            t0 = time.perf_counter()
            try:
                response = _without_secrets(_answer(await attempt_once(request), target), target)
            except TargetError as error:
                if should_retry(error, attempt=attempt, policy=policy):
                    stats.retries += 1
                    delay = backoff_delay(
                        policy, attempt, retry_after=error.retry_after, rng=jitter
                    )
                    await asyncio.sleep(delay)
                    continue
                return ResponseRecord(
                    case_id=request.case_id,
                    sample=request.sample,
                    seed=request.seed,
                    response=None,
                    # An endpoint may echo the key (a 401 body): scrub before anything keeps it.
                    # Its message may quote text cut mid-emoji: the journal is UTF-8.
                    error=ErrorInfo(
                        type=error.kind,
                        message=valid_unicode(target.scrub(error_text(error))),
                        status=error.status,
                    ),
                    attempts=attempt,
                    latency_s=round(time.perf_counter() - t0, 6),
                )
            latency = time.perf_counter() - t0
            # Lone surrogates (JSON's escape of half an emoji) repaired in every text field
            # before the cache stores them: SQLite's UTF-8 refused them and ended the run.
            response.text = valid_unicode(response.text)
            response.model_version = _valid_or_none(response.model_version)
            response.finish_reason = _valid_or_none(response.finish_reason)
            if cache is not None:
                cache.put(key, response)
            return _record(request, response, attempts=attempt, latency_s=latency, cached=False)

    def deliver(record: ResponseRecord) -> None:
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

    streak: list[ResponseRecord] = []
    streak_limit = max(STREAK_LIMIT, 2 * concurrency)
    sent = 0  # requests the workers have started
    streak_from = 0  # ``sent`` when the streak's first record came back

    def settle(record: ResponseRecord, started: int) -> None:
        """Deliver ``record`` (the ``started``-th request sent), except while requests in a
        row fail the same way no retry fixes and no prompt causes (``target_down_signature``):
        those are held, and delivered once another outcome breaks the streak; a streak that
        reaches ``streak_limit`` stops the run, the held ones unjournalled (resume sends them).
        Another outcome of a request sent before the streak began (in flight when the target
        went down: its answer says nothing of the target now) is delivered without breaking
        it, so the streak's first failures are not journalled as errors that a resume would
        not send again."""
        nonlocal streak_from
        signature = target_down_signature(record)
        if signature is not None and (not streak or target_down_signature(streak[0]) == signature):
            if not streak:
                streak_from = sent
            streak.append(record)
            if len(streak) >= streak_limit:
                raise _unusable(
                    target, streak, len(requests), since=stats.completed, timeout_s=timeout_s
                )
            return
        if streak and started < streak_from:
            deliver(record)
            return
        for held in streak:
            deliver(held)
        streak.clear()
        if signature is not None:
            streak_from = sent
            streak.append(record)
        else:
            deliver(record)

    async def worker() -> None:
        nonlocal sent
        for done, (request, key) in enumerate(pending, start=1):
            started = sent
            sent += 1
            settle(await run_one(request, key), started)
            if done % YIELD_EVERY == 0:
                # A target that answers without suspending (a replay, a cache hit) would keep
                # this task running through the whole run: the loop never gets to free the
                # cancelled timeout timers, about 500 bytes a request (500 MB at 1M).
                await asyncio.sleep(0)

    async def probe_first() -> None:
        """Send one at a time until a request reaches the target; stop the run when it and
        its confirmations fail the same way that no retry can fix."""
        nonlocal sent
        held: list[ResponseRecord] = []
        once = RetryPolicy(max_attempts=1)
        decided: ResponseRecord | None = None
        for request, key in pending:
            sent += 1
            record = await run_one(request, key, retry if not held else once)
            if record.cached:
                deliver(record)
                continue
            signature = fatal_signature(record)
            if signature is None or (held and fatal_signature(held[0]) != signature):
                decided = record
                break
            held.append(record)
            if len(held) >= PROBE_CONFIRMATIONS:
                raise _unusable(target, held, len(requests))
        for earlier in held:
            deliver(earlier)
        if decided is not None:
            # A timeout here may be the first of a streak (a hung endpoint): held with it, it
            # is sent again by a resume like the rest of the streak.
            settle(decided, sent - 1)

    try:
        if probe:
            await probe_first()
        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, max(1, len(requests)))):
                group.create_task(worker())
        for held in streak:  # a streak the last requests began: they are the run's answers
            deliver(held)
    except BaseExceptionGroup as group_error:
        # Surface the first real failure (on_record's, typically) rather than the group.
        raise group_error.exceptions[0] from None
    finally:
        stats.wall_s = time.perf_counter() - started
        stats.errors_by_type = dict(errors_by_type)
        if cache is not None:
            cache.flush()
    return stats


READ_AHEAD = 500
"""Requests whose cache entries are read in one query (:meth:`ResponseCache.read_ahead`)."""


def _with_cache_keys(
    requests: Sequence[GenerationRequest],
    cache: ResponseCache | None,
    key: Callable[[GenerationRequest], str] | None,
) -> Iterator[tuple[GenerationRequest, str]]:
    """Each request in order with its cache key ("" without a cache), the cache read ahead for
    ``READ_AHEAD`` requests at a time. Every worker takes its next request from this one
    iterator and looks it up before it first suspends, so a batch is read ahead once the
    lookups of the one before are done. The requests are taken in order, never by index: a
    fresh run's plan notes each request as it is taken (``runner.journalnotes``), and cannot
    follow one taken by index (its run then reads the whole journal again to score)."""
    if cache is None or key is None:
        for request in requests:
            yield request, ""
        return
    taken = iter(requests)
    while batch := list(itertools.islice(taken, READ_AHEAD)):
        keys = [key(request) for request in batch]
        cache.read_ahead(keys)
        yield from zip(batch, keys, strict=True)


def _answer(value: object, target: Target) -> GenerationResponse:
    """What ``generate`` returned, as the response it must be: an adapter returning anything
    else (None, a bare string, a response whose text is a number) fails that request as a bad
    response, where it crashed the whole run on the first attribute read."""
    if not isinstance(value, GenerationResponse):
        raise BadResponseError(
            f"{type(target).__name__}.generate() returned {type(value).__name__}, "
            "not a GenerationResponse"
        )
    if not isinstance(value.text, str):
        raise BadResponseError(
            f"{type(target).__name__}.generate() returned a GenerationResponse whose text is "
            f"{type(value.text).__name__}, not str"
        )
    return value


def _without_secrets(response: GenerationResponse, target: Target) -> GenerationResponse:
    """``response`` scrubbed of the target's secret values before the cache, the journal or a
    scorer sees it: an endpoint that repeats the request's headers (a debugging proxy, a model
    asked to repeat its input) would otherwise put the key into every file of the run."""
    secrets = target.secret_values()
    if not secrets:
        return response

    response.text = scrub_json(response.text, secrets)
    response.model_version = scrub_json(response.model_version, secrets)
    response.finish_reason = scrub_json(response.finish_reason, secrets)
    response.usage = scrub_json(response.usage, secrets)
    return response


class _Suspended(Awaitable[T]):
    """The rest of a coroutine that has run to its first suspension, where it yielded
    ``waiting``: awaiting this resumes it as ``await`` would have (what the event loop sends or
    throws goes to the coroutine; its return value is this one's)."""

    def __init__(self, call: Coroutine[Any, Any, T], waiting: Any) -> None:
        self.call = call
        self.waiting = waiting

    def __await__(self) -> Generator[Any, Any, T]:
        call, waiting = self.call, self.waiting
        while True:
            try:
                sent = yield waiting
            except GeneratorExit:
                call.close()
                raise
            except BaseException as exc:  # a cancellation (the timeout) goes to the call
                try:
                    waiting = call.throw(exc)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]
            else:
                try:
                    waiting = call.send(sent)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]


def _unusable(
    target: Target,
    held: list[ResponseRecord],
    total: int,
    *,
    since: int = 0,
    timeout_s: float | None = None,
) -> TargetUnusableError:
    """``since``: the records delivered before the streak ``held`` (none: the probe's)."""
    error = held[0].error
    assert error is not None
    unsent = total - since - len(held)
    if timeout_s is not None and _timed_out(held[0]):
        return _hung(len(held), total, since=since, timeout_s=timeout_s)
    hint = target.diagnose(error.status, error.type, error.message)
    if since:
        message = (
            f"stopped: after {since} requests, {len(held)} in a row failed the same way, so "
            f"at most {unsent} others were not sent: {error.message}"
        )
    else:
        message = (
            f"stopped: the first {len(held)} requests all failed the same way, so the other "
            f"{unsent} were not sent: {error.message}"
        )
    if hint:
        message += f"; {target.scrub(hint)}"
    return TargetUnusableError(message.replace("\n", " "), sent=len(held), total=total)


def _hung(streak: int, total: int, *, since: int, timeout_s: float) -> TargetUnusableError:
    """Requests in a row that got no answer: the error's own message (no response within
    0.2s) says nothing of the endpoint, nor that the fix may be the target file's timeout_s;
    the runner names that file in the way on (``timeout_s`` set)."""
    after = f" (after {since} that came back)" if since else ""
    message = (
        f"stopped: {streak} requests in a row{after} got no answer within timeout_s "
        f"({timeout_s:g} s), so at most {total - since - streak} others were not sent: the "
        "endpoint is not answering, or is slower than timeout_s"
    )
    return TargetUnusableError(message, sent=streak, total=total, timeout_s=timeout_s)


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


def _valid_or_none(text: object) -> str | None:
    """A field a target may leave unset (model version, finish reason) as valid text: a
    number (a callable's, an endpoint's JSON) spelt as text, lone surrogates replaced."""
    return None if text is None else valid_unicode(text if isinstance(text, str) else str(text))


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
        model_version=_valid_or_none(response.model_version),
        finish_reason=_valid_or_none(response.finish_reason),
        cached_from=response.source_run if cached else None,
    )
