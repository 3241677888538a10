"""A second Ctrl-C (or SIGTERM) while a run is stopping ends the process at once.

The first one stops the run cleanly: while requests are out it cancels them
(``asyncio.Runner``'s handler), elsewhere it is Python's ``KeyboardInterrupt``; either way the
journal is closed, the resume command printed, exit 130. A target whose ``generate`` swallows
the ``CancelledError`` (catches it and goes on waiting), or blocks the event loop with a
synchronous call, never lets that happen: neither its ``timeout_s`` nor the cancellation can
end the call, the second signal's ``KeyboardInterrupt`` left the loop only to wait again for the
same task as the loop closed, and the command ran until SIGKILL. A scorer can swallow the
interrupt the same way, and the stop itself takes time (the journal read to count what is
saved), during which a second ``KeyboardInterrupt`` cut the cleanup short and lost the run id
("nothing to resume"). Every answer received is in the journal already (flushed per line), so
nothing is lost by leaving the rest behind: once a run is registered
(:func:`run_in_progress`), a second signal anywhere in it flushes and fsyncs the journal,
removes the temporary files being written in its folder, prints one line with the resume
command and exits 130, the status of an interrupted run. SIGTERM arrives here as SIGINT
(``cli._sigterm_as_ctrl_c``), so any two of them count.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn, TypeVar

from ..store.files import remove_pending_temporary_files

T = TypeVar("T")

FORCED_EXIT = 130
"""The exit status of an interrupted run, forced or not (``cli`` exits 130 for Ctrl-C and
SIGTERM alike)."""


@dataclass
class _Run:
    save: Callable[[], None]
    """Flushes and fsyncs the journal (nothing once it is closed)."""
    resume_cmd: str
    run_id: str
    folder: Path
    """The run folder, whose temporary files a forced stop removes."""


_run: _Run | None = None
"""The run being made: from when its folder holds it to the end of the outermost watch."""
_interrupts = 0
"""Ctrl-C and SIGTERM received since the run's watch began."""
_depth = 0
_replaced: Any = None
"""The handler the outermost watch replaced (None: it installed none)."""


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    """Python's handler, counting: a second interrupt during a run forces its stop."""
    global _interrupts
    _interrupts += 1
    if _interrupts > 1 and _run is not None:
        _force_stop(_run)
    raise KeyboardInterrupt


_epilogue: tuple[str, ...] = ()
"""Lines a forced stop writes after its own (:func:`epilogue`)."""


@contextmanager
def watching() -> Iterator[None]:
    """While the block lasts, the first interrupt is Python's ``KeyboardInterrupt`` and any
    further one, once a run is registered, forces its stop. Nested blocks (the command's around
    its runs, each run's own) share the outermost's handler, so a run that ends in an exception
    stays registered until the command has said how to continue it; each block starts the
    count afresh, and the outermost puts back the handler it found. Only in the main thread,
    and only where Python's own handler is in place (an ignored SIGINT stays ignored)."""
    global _depth, _replaced, _interrupts, _run
    if not _main_thread():  # signals are the main thread's; a run elsewhere leaves them be
        yield
        return
    outermost = _depth == 0
    if outermost and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        _replaced = signal.signal(signal.SIGINT, _on_interrupt)
    _depth += 1
    _interrupts, _run = 0, None
    try:
        yield
        _run = None  # the run is done: nothing of it to force any more
    finally:
        _depth -= 1
        if outermost:
            if _replaced is not None and signal.getsignal(signal.SIGINT) is _on_interrupt:
                signal.signal(signal.SIGINT, _replaced)
            _replaced, _interrupts, _run = None, 0, None


def run_in_progress(
    save: Callable[[], None], *, run_id: str, resume_cmd: str, folder: Path
) -> None:
    """Register the run being made (its folder holds it from now on): a second interrupt
    runs ``save`` (the journal's flush and fsync), removes the temporary files being written
    in ``folder``, says how to continue the run and exits. Outside a watch, or before this,
    a second Ctrl-C is Python's."""
    global _run
    if _main_thread():
        _run = _Run(save, resume_cmd, run_id, folder)


def stopping() -> None:
    """The run has caught an interrupt and is stopping: the next one forces the stop, whether
    or not the first was counted (one that landed while Python's own handler was in place)."""
    global _interrupts
    if _main_thread():
        _interrupts = max(_interrupts, 1)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def python_handler() -> Iterator[None]:
    """Python's own handler while an ``asyncio.Runner`` runs: it installs its own (which
    cancels the requests in flight cleanly) only where it finds Python's; the watch's handler
    is put back after."""
    if not _main_thread() or signal.getsignal(signal.SIGINT) is not _on_interrupt:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, _on_interrupt)


@contextmanager
def deferred() -> Iterator[None]:
    """An interrupt during the block takes effect once it is over (``KeyboardInterrupt``
    then), as an event loop closes: raised inside the loop (an async generator being finalised,
    uvloop setting up its signals) it was a task's exception printed as a traceback, or left
    uvloop's loop "running" so that closing it failed (an internal error, exit 3); and as the
    runner's modules are imported, where pydantic's compiled core, building a validator, lost
    it or made it a SchemaError (``cli.run``). A second one during a run still forces its stop.
    Main thread only; an ignored SIGINT stays ignored."""
    before = signal.getsignal(signal.SIGINT)
    if not _main_thread() or not callable(before):
        yield
        return
    caught: list[int] = []

    def later(signum: int, frame: FrameType | None) -> None:
        global _interrupts
        _interrupts += 1
        if _interrupts > 1 and _run is not None:
            _force_stop(_run)
        caught.append(signum)

    signal.signal(signal.SIGINT, later)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)
    if caught:
        raise KeyboardInterrupt


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
    in the main thread) wrapped so that a second Ctrl-C during a run forces the stop instead of
    raising ``KeyboardInterrupt``, which cannot get past a target that will not end."""
    graceful = signal.getsignal(signal.SIGINT)
    if (
        not _main_thread()
        or not callable(graceful)
        or graceful is signal.default_int_handler  # no Runner handler: Ctrl-C is Python's
    ):
        return await coro

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        global _interrupts
        _interrupts += 1
        if _interrupts > 1 and _run is not None:
            _force_stop(_run)
        graceful(signum, frame)

    signal.signal(signal.SIGINT, on_sigint)
    try:
        return await coro
    finally:  # the Runner puts Python's handler back only where it finds its own
        if signal.getsignal(signal.SIGINT) is on_sigint:
            signal.signal(signal.SIGINT, graceful)


def _force_stop(run: _Run) -> NoReturn:
    """Save the journal, clear the temporary files being written, say so and how to continue,
    and exit without waiting for anything: written straight to the file descriptor (the
    interrupted code may hold the console's lock), and ``os._exit`` (a normal exit waits for
    the event loop's tasks and the target's threads)."""
    with suppress(Exception):  # a full disk: the lines flushed already are the ones resumed
        run.save()
    with suppress(Exception):  # what is left, --resume clears
        remove_pending_temporary_files(run.folder)
    terminal = os.isatty(2)
    line = (
        f"forced to stop (interrupted again while stopping): the responses received are saved "
        f"in run {run.run_id}; continue with: {run.resume_cmd}\n"
    ) + "".join(f"{more}\n" for more in _epilogue)
    with suppress(OSError):
        # On a terminal, below the progress bar, and the cursor the bar hid shown again.
        os.write(2, (f"\n{line}\x1b[?25h" if terminal else line).encode("utf-8", "replace"))
    os._exit(FORCED_EXIT)
