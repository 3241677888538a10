"""The metrics phase on the machine's other cores, with the same figures.

A large run's metrics are mostly numpy work that releases the GIL: the bootstraps' index draws
and sums, the permutation test's random keys and bucket counts. Computed one after the other they
leave every core but one idle (a 100k-case run with a mean, a quantile, a rate and a disparity
spends about a quarter of its time there). Each metric, and a disparity's permutation test, only
reads its own inputs and seeds its own random stream from the suite's seed, so computing them on
threads gives the same values bit for bit; results are collected in the suite's order, and the
first metric (in that order) that raises is the one whose error propagates, as it was.

Small inputs stay on the calling thread: there the threads' start and the GIL's hand-overs cost
more than they save.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_MIN_ROWS = 20_000
"""Rows a run needs before its metrics are computed on threads (below it they take well under
a second in all)."""

MAX_THREADS = 4
"""Metric threads at most, however many cores: each holds its own columns and bootstrap draws at
once (a 100k-case run with eight metrics peaked at 245 MB serial, 306 MB on 2 threads, 353 MB on
4; more metrics in flight only add memory), and past a few the GIL-held parts take turns anyway."""

THREAD_NAME = "assurance-metrics"


def cores() -> int:
    """CPU cores this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


class _Job(Generic[R]):
    """One call, run once on whichever thread takes it; :meth:`result` waits for it.

    It runs in a copy of the context of the thread that made it: a thread started by
    ``threading.Thread`` sees no context variable's value, and a metric must read the rule its
    caller set (``stats.intervals.effective_n_as_before``, as a summary is measured
    again) on a thread as it does serially."""

    def __init__(self, fn: Callable[[], R]) -> None:
        self._fn = fn
        self._context = contextvars.copy_context()
        self._done = threading.Event()
        self._value: R | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            self._value = self._context.run(self._fn)
        except BaseException as exc:  # handed to the thread that reads the result
            self._error = exc
        finally:
            self._done.set()

    @property
    def failed(self) -> bool:
        return self._error is not None

    def result(self) -> R:
        self._done.wait()  # Ctrl-C still reaches the waiting (main) thread
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


def _start(work: Callable[[], None]) -> None:
    # Daemon threads: a Ctrl-C or an error in the calling thread does not wait for a metric
    # still being computed (nothing it computes is written anywhere).
    threading.Thread(target=work, name=THREAD_NAME, daemon=True).start()


def map_in_order(fn: Callable[[T], R], items: Sequence[T], *, parallel: bool) -> list[R]:
    """``[fn(item) for item in items]``, on up to :func:`cores` (at most :data:`MAX_THREADS`)
    threads when ``parallel``.

    An exception is raised as the serial loop would raise it: the first failing item's, in
    ``items`` order; items not started by then are not started."""
    workers = min(cores(), MAX_THREADS, len(items))
    if not parallel or workers < 2:
        return [fn(item) for item in items]
    jobs: list[_Job[R]] = [_Job(lambda item=item: fn(item)) for item in items]  # type: ignore[misc]
    todo = deque(jobs)
    stopped = threading.Event()

    def work() -> None:
        while not stopped.is_set():
            try:
                job = todo.popleft()  # atomic: each job is taken by one thread, in order
            except IndexError:
                return
            job.run()
            if job.failed:  # the jobs left all come after it: their results cannot matter
                stopped.set()

    for _ in range(workers):
        _start(work)
    try:
        return [job.result() for job in jobs]
    finally:
        stopped.set()


class Background(Generic[R]):
    """``fn()`` started on its own thread (or run at once when ``parallel`` is false, or on a
    single core); :meth:`result` waits for it and returns its value or raises its error."""

    def __init__(self, fn: Callable[[], R], *, parallel: bool) -> None:
        self._job = _Job(fn)
        if parallel and cores() > 1:
            _start(self._job.run)
        else:
            self._job.run()

    def result(self) -> R:
        return self._job.result()
