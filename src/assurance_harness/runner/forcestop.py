"""A second Ctrl-C (or SIGTERM) while a run is stopping ends the process at once.

The first one cancels the requests in flight (``asyncio.Runner``'s handler) and the run stops
cleanly: the journal closed, the resume command printed, exit 130. A target whose ``generate``
swallows the ``CancelledError`` (catches it and goes on waiting), or blocks the event loop with
a synchronous call, never lets that happen: neither its ``timeout_s`` nor the cancellation can
end the call, the second signal's ``KeyboardInterrupt`` left the loop only to wait again for the
same task as the loop closed, and the command ran until SIGKILL. Every answer received is in
the journal already (flushed per line), so nothing is lost by leaving the target behind: while
requests are being sent (:func:`sending`), a second signal flushes and fsyncs the journal,
prints one line with the resume command and exits 130, the status of an interrupted run.
SIGTERM arrives here as SIGINT (``cli._sigterm_as_ctrl_c``), so any two of them count.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from types import FrameType
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")

FORCED_EXIT = 130
"""The exit status of an interrupted run, forced or not (``cli`` exits 130 for Ctrl-C and
SIGTERM alike)."""


@dataclass
class _Sending:
    save: Callable[[], None]
    """Flushes and fsyncs the journal."""
    resume_cmd: str
    run_id: str


_sending: _Sending | None = None

_epilogue: tuple[str, ...] = ()
"""Lines a forced stop writes after its own (:func:`epilogue`)."""


@contextmanager
def sending(save: Callable[[], None], *, run_id: str, resume_cmd: str) -> Iterator[None]:
    """While the block lasts, a second interrupt runs ``save`` (the journal's flush and fsync),
    says how to continue the run and exits; outside it, a second Ctrl-C is Python's."""
    global _sending
    before, _sending = _sending, _Sending(save, resume_cmd, run_id)
    try:
        yield
    finally:
        _sending = before


@contextmanager
def epilogue(*lines: str) -> Iterator[None]:
    """While the block lasts, a forced stop also writes ``lines`` (each one line, formatted as
    the caller prints them), after its own: what the caller says once a run has stopped (a
    directory run's suites not run) it never gets to say when the process exits at once."""
    global _epilogue
    before, _epilogue = _epilogue, lines
    try:
        yield
    finally:
        _epilogue = before


async def escalating(coro: Coroutine[Any, Any, T]) -> T:
    """Await ``coro`` under ``asyncio.Runner``, with its Ctrl-C handler (installed by then,
    in the main thread) wrapped so that a second Ctrl-C during :func:`sending` forces the stop
    instead of raising ``KeyboardInterrupt``, which cannot get past a target that will not end."""
    graceful = signal.getsignal(signal.SIGINT)
    if (
        threading.current_thread() is not threading.main_thread()
        or not callable(graceful)
        or graceful is signal.default_int_handler  # no Runner handler: Ctrl-C is Python's
    ):
        return await coro
    interrupts = 0

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts > 1 and _sending is not None:
            _force_stop(_sending)
        graceful(signum, frame)

    signal.signal(signal.SIGINT, on_sigint)
    try:
        return await coro
    finally:  # the Runner puts Python's handler back only where it finds its own
        if signal.getsignal(signal.SIGINT) is on_sigint:
            signal.signal(signal.SIGINT, graceful)


def _force_stop(run: _Sending) -> NoReturn:
    """Save the journal, say so and how to continue, and exit without waiting for anything:
    written straight to the file descriptor (the interrupted code may hold the console's lock),
    and ``os._exit`` (a normal exit waits for the event loop's tasks and the target's threads)."""
    with suppress(Exception):  # a full disk: the lines flushed already are the ones resumed
        run.save()
    terminal = os.isatty(2)
    line = (
        f"forced to stop (interrupted again while stopping): the responses received are saved "
        f"in run {run.run_id}; continue with: {run.resume_cmd}\n"
    ) + "".join(f"{more}\n" for more in _epilogue)
    with suppress(OSError):
        # On a terminal, below the progress bar, and the cursor the bar hid shown again.
        os.write(2, (f"\n{line}\x1b[?25h" if terminal else line).encode("utf-8", "replace"))
    os._exit(FORCED_EXIT)
