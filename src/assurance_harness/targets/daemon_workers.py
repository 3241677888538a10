"""Daemon threads for a callable target's sync calls, each kept for the next call once done.

Why not a thread a call (as before): starting a thread waits until it runs, and with the
interpreter busy sending that wait cost more than a cheap function's whole answer (a 10k-case
run against the demo assistant spent half its sending time in ``Thread.start``). Why not
``concurrent.futures.ThreadPoolExecutor``: its pool is bounded, so a few calls that hang past
``timeout_s`` keep its workers and starve every later request into a timeout, and its shutdown
waits for the hung calls, so the command never exits. Here a call that finds no idle thread
gets a new one, so no call waits for another, and every thread is a daemon: a hung call's
thread is abandoned as before, and an idle one ends after ``IDLE_EXIT_S`` or when the target
is closed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

Deliver = Callable[[], None]
Job = Callable[[], Deliver]
"""A call that returns how to hand its outcome over: run once its thread is idle again, so a
caller that submits as soon as it has the outcome finds that thread free (one thread a call
at most, not a new one for a call whose predecessor's thread was just finishing)."""

IDLE_EXIT_S = 10.0
"""How long an idle thread waits for another call before it ends."""


class DaemonWorkers:
    """Runs each submitted job at once on a daemon thread: an idle one when there is one (the
    most recently idle, so few stay warm), else a new one."""

    def __init__(self, name: str, *, idle_exit_s: float = IDLE_EXIT_S) -> None:
        self._name = name
        self._idle_exit_s = idle_exit_s
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[Job | None]] = []  # each idle thread's inbox
        self._closed = False

    def submit(self, job: Job) -> None:
        """Start ``job`` now; neither it nor what it returns may raise (that ends the thread)."""
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            threading.Thread(
                target=self._serve, args=(inbox,), name=self._name, daemon=True
            ).start()
        inbox.put(job)

    def close(self) -> None:
        """End the idle threads now, and each busy one when its call returns."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for inbox in idle:
            inbox.put(None)

    def _serve(self, inbox: queue.SimpleQueue[Job | None]) -> None:
        job = inbox.get()
        while job is not None:
            deliver = job()
            del job  # not kept alive (its arguments, its answer) while this thread is idle
            idle = self._park(inbox)
            deliver()
            del deliver
            job = self._wait(inbox) if idle else None

    def _park(self, inbox: queue.SimpleQueue[Job | None]) -> bool:
        """Count this thread among the idle ones; False when the workers are closed."""
        with self._lock:
            if self._closed:
                return False
            self._idle.append(inbox)
            return True

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
