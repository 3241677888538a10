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

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_MIN_ROWS = 20_000
"""Rows a run needs before its metrics are computed on threads (below it they take well under
a second in all)."""


def cores() -> int:
    """CPU cores this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def map_in_order(fn: Callable[[T], R], items: Sequence[T], *, parallel: bool) -> list[R]:
    """``[fn(item) for item in items]``, on up to :func:`cores` threads when ``parallel``.

    An exception is raised as the serial loop would raise it: the first failing item's, in
    ``items`` order; items not started yet are cancelled."""
    workers = min(cores(), len(items))
    if not parallel or workers < 2:
        return [fn(item) for item in items]
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="assurance-metrics")
    try:
        futures = [pool.submit(fn, item) for item in items]
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class Background(Generic[R]):
    """``fn()`` started on its own thread (or run at once when ``parallel`` is false, or
    on a single core); :meth:`result` waits for it and returns its value or raises its error."""

    def __init__(self, fn: Callable[[], R], *, parallel: bool) -> None:
        self._future: Future[R] = Future()
        if parallel and cores() > 1:
            self._pool: ThreadPoolExecutor | None = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="assurance-metrics"
            )
            self._future = self._pool.submit(fn)
        else:
            self._pool = None
            try:
                self._future.set_result(fn())
            except Exception as exc:  # raised from result(), where the serial code raised it
                self._future.set_exception(exc)

    def result(self) -> R:
        try:
            return self._future.result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
