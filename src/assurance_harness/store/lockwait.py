"""Saying, once, that a command waits for another process's lock (the run index ``runs.db``,
the evidence ledger's ``.lock``).

A write holds either lock for milliseconds, so a wait past ``NOTICE_AFTER_S`` means another
process is busy or hung; before this, a command waited out the 30 s (runs.db) or 60 s (ledger)
without a word, and a CI log that stays silent that long reads as a hang. The line goes to
stderr, as the CLI's errors and warnings do, so a command's stdout stays its own output.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..formatting.visible import visible

__all__ = ["NOTICE_AFTER_S", "Wait", "say_waiting", "watched"]

NOTICE_AFTER_S = 1.0
"""How long a command waits for another process's lock before it says so."""


def say_waiting(text: str) -> None:
    """``waiting: <text>`` as one line on stderr, flushed at once (the command then blocks)."""
    line = " ".join(visible(text).split("\n"))
    try:
        sys.stderr.write(f"waiting: {line}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken stderr must not stop the write it is for
        pass


class Wait:
    """Calls that may block inside a library on another process's lock (SQLite's busy wait,
    which gives Python no hook), watched by one thread: a call blocked past ``NOTICE_AFTER_S``
    is said once, with the line ``describe`` gives (None: not waiting for another process,
    e.g. a slow statement of this process's own). Its owner sets ``describe``."""

    def __init__(self) -> None:
        self.describe: Callable[[], str | None] = lambda: None
        self.since: float | None = None
        """When the call now running began (monotonic), None between calls."""
        self.said = False

    @contextmanager
    def blocking(self) -> Iterator[None]:
        """Around one call that may wait for the lock."""
        self.since = time.monotonic()
        try:
            yield
        finally:
            self.since = None


_TICK_S = 0.25
_watched: set[Wait] = set()
_guard = threading.Lock()
_watcher: threading.Thread | None = None


@contextmanager
def watched() -> Iterator[Wait]:
    """A :class:`Wait` watched while the block lasts (one transaction, say)."""
    global _watcher
    wait = Wait()
    with _guard:
        _watched.add(wait)
        if _watcher is None or not _watcher.is_alive():  # also in a forked child
            _watcher = threading.Thread(target=_watch, name="assurance-lock-wait", daemon=True)
            _watcher.start()
    try:
        yield wait
    finally:
        with _guard:
            _watched.discard(wait)


def _after_fork_in_child() -> None:
    """A forked child has no watching thread, and the guard may have been held by it: start
    afresh (the child's own transactions start a new thread)."""
    global _guard, _watcher
    _guard = threading.Lock()
    _watcher = None
    _watched.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _watch() -> None:
    while True:
        time.sleep(_TICK_S)
        now = time.monotonic()
        with _guard:
            waits = list(_watched)
        for wait in waits:
            since = wait.since
            if wait.said or since is None or now - since < NOTICE_AFTER_S:
                continue
            try:
                text = wait.describe()
            except Exception:  # a failed look must not end the watching, nor the command
                text = None
            if text is not None and wait.since == since:  # still the same call
                say_waiting(text)
                wait.said = True
