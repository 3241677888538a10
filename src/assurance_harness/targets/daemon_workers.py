"""Daemon threads for a callable target's sync calls, each kept for the next call once done.

Why not a thread a call (as before): starting a thread waits until it runs, and with the
interpreter busy sending that wait cost more than a cheap function's whole answer (a 10k-case
run against the demo assistant spent half its sending time in ``Thread.start``). Why not
``concurrent.futures.ThreadPoolExecutor``: its pool is bounded, so a few calls that hang past
``timeout_s`` keep its workers and starve every later request into a timeout, and its shutdown
waits for the hung calls, so the command never exits. Here a call that no thread will take
soon gets an idle thread or a new one, and every thread is a daemon: a hung call's thread is
abandoned as before, and an idle one ends after ``IDLE_EXIT_S`` or when the target is closed.

Why a quick function's calls wait for a busy thread (``QUEUE_BUDGET_S``): waking a sleeping
thread for each call, with sixteen of them taking turns at the interpreter's lock, cost more
than the demo assistant's answer; a thread that takes the next waiting call as soon as its
own is done runs them in turn without sleeping in between (20k cases to the demo assistant:
3.4 s of CPU to send instead of 4.1 s, medians of six). A call that waits longer than
``PATIENCE_S`` (the function is slower than it was, or a call hangs) still gets a thread of
its own, so ``concurrency`` calls of a slow function are in progress at once.
"""

from __future__ import annotations

import collections
import queue
import threading
import time
from collections.abc import Callable

Deliver = Callable[[], None]
Job = Callable[[], Deliver]
"""A call that returns how to hand its outcome over: run once its thread has taken its next
job, if one is waiting, else once it is idle again, so a caller that submits as soon as it
has the outcome finds that thread free (one thread a call at most, not a new one for a call
whose predecessor's thread was just finishing)."""
CallLater = Callable[[float, Callable[[], None]], object]
"""``loop.call_later``: how a waiting call's patience is checked (on the caller's loop)."""

IDLE_EXIT_S = 10.0
"""How long an idle thread waits for another call before it ends."""
QUEUE_BUDGET_S = 0.001
"""A call waits for a busy thread when the calls waiting, itself included, take no longer than
this at the function's recent pace (``_pace``): it is then done about as soon as a woken
thread would have started it."""
PATIENCE_S = 0.01
"""The longest a waiting call waits before it gets a thread of its own (a call ahead of it
hangs, or the function became slow)."""
_PACE_WEIGHT = 0.1
"""The weight of the latest call's duration in ``_pace`` (an exponential average)."""


class DaemonWorkers:
    """Runs each submitted job on a daemon thread: a busy one once its call is done when the
    function is quick, else an idle one (the most recently idle, so few stay warm) or a new
    one."""

    def __init__(
        self,
        name: str,
        *,
        idle_exit_s: float = IDLE_EXIT_S,
        queue_budget_s: float = QUEUE_BUDGET_S,
        patience_s: float = PATIENCE_S,
    ) -> None:
        self._name = name
        self._idle_exit_s = idle_exit_s
        self._queue_budget_s = queue_budget_s
        self._patience_s = patience_s
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[Job | None]] = []  # each idle thread's inbox
        self._waiting: collections.deque[tuple[Job, float]] = collections.deque()
        """Jobs left for a busy thread to take, with when they were submitted."""
        self._busy = 0
        """Threads running a job (or about to take the next waiting one)."""
        self._pace = float("inf")
        """Recent calls' duration in seconds; unknown before the first is done (slow, then)."""
        self._checking = False
        """Whether a patience check is scheduled."""
        self._closed = False

    def submit(self, job: Job, call_later: CallLater | None = None) -> None:
        """Start ``job`` (neither it nor what it returns may raise: that ends the thread).
        With ``call_later`` it may wait for a busy thread (see the module's docstring): at
        most ``patience_s``, checked by a timer ``call_later`` sets."""
        with self._lock:
            quick = self._pace * (len(self._waiting) + 1) <= self._queue_budget_s
            queued = call_later is not None and self._busy > 0 and quick
            if queued:
                self._waiting.append((job, time.monotonic()))
                check, self._checking = not self._checking, True
            else:
                inbox = self._claim()
        if not queued:
            self._hand(inbox, job)
        elif check and call_later is not None:
            call_later(self._patience_s, lambda: self._check(call_later))

    def _claim(self) -> queue.SimpleQueue[Job | None] | None:
        """An idle thread's inbox (None: start a new thread), counted busy; under the lock."""
        self._busy += 1
        return self._idle.pop() if self._idle else None

    def _hand(self, inbox: queue.SimpleQueue[Job | None] | None, job: Job) -> None:
        if inbox is None:
            inbox = queue.SimpleQueue()
            threading.Thread(
                target=self._serve, args=(inbox,), name=self._name, daemon=True
            ).start()
        inbox.put(job)

    def _check(self, call_later: CallLater) -> None:
        """Give each job that has waited ``patience_s`` a thread of its own."""
        handed: list[tuple[queue.SimpleQueue[Job | None] | None, Job]] = []
        with self._lock:
            due = time.monotonic() - self._patience_s
            while self._waiting and self._waiting[0][1] <= due:
                handed.append((self._claim(), self._waiting.popleft()[0]))
            self._checking = bool(self._waiting)
        for inbox, job in handed:
            self._hand(inbox, job)
        if self._checking:
            call_later(self._patience_s, lambda: self._check(call_later))

    def close(self) -> None:
        """End the idle threads now, and each busy one when its call returns (jobs still
        waiting are run first)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for inbox in idle:
            inbox.put(None)

    def _serve(self, inbox: queue.SimpleQueue[Job | None]) -> None:
        job: Job | None = inbox.get()
        while job is not None:
            began = time.monotonic()
            deliver = job()
            took = time.monotonic() - began
            del job  # not kept alive (its arguments, its answer) while this thread is idle
            job, idle = self._next(inbox, took)
            deliver()
            del deliver
            if job is None and idle:
                job = self._wait(inbox)

    def _next(self, inbox: queue.SimpleQueue[Job | None], took: float) -> tuple[Job | None, bool]:
        """A waiting job for this thread to run next, else (None, whether it is idle now:
        False when the workers are closed, and it ends)."""
        with self._lock:
            pace = self._pace
            self._pace = took if pace == float("inf") else pace + _PACE_WEIGHT * (took - pace)
            if self._waiting:
                return self._waiting.popleft()[0], False
            self._busy -= 1
            if self._closed:
                return None, False
            self._idle.append(inbox)
            return None, True

    def _wait(self, inbox: queue.SimpleQueue[Job | None]) -> Job | None:
        """This idle thread's next job, or None when it is to end (closed, or idle too long)."""
        try:
            return inbox.get(timeout=self._idle_exit_s)
        except queue.Empty:
            with self._lock:
                if any(waiting is inbox for waiting in self._idle):
                    self._idle = [waiting for waiting in self._idle if waiting is not inbox]
                    return None
            return inbox.get()  # taken for a job as the wait ended: it is on its way
