"""The command line's terminal output: one place, and user text is never read as Rich markup.

Suite names, metric ids, dataset ids, file names and model output reach the terminal. Read as
Rich markup, ``[/red]`` raises ``MarkupError`` (a traceback and the wrong exit code) and
``[bold]x`` silently loses its brackets. So both consoles here have markup switched off: a plain
string prints exactly as it is, and colour is added only through :func:`term` / ``Text`` styles.
Control characters are shown as escapes so that model output cannot restyle or clear the
terminal. Every user-fixable error goes through :func:`print_error` (one ``error:`` line each).
Standard output and error are guarded (:func:`guard_streams`): a write that fails never ends
a command early; standard output that was not written is said at the end (:func:`lost_output`).
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import TextIO, cast

import typer
from rich.console import Console
from rich.text import Text

from .errors import HarnessError, RunFailedError
from .formatting.terminal import settle_terminal_size
from .formatting.visible import one_line, visible

__all__ = [
    "err",
    "fail",
    "guard_streams",
    "lost_output",
    "out",
    "print_error",
    "print_json",
    "print_warning",
    "term",
    "user_errors",
]


def _console(*, stderr: bool = False) -> Console:
    probe = Console(stderr=stderr)
    # Piped output (CI logs, tests) gets a wide console so tables are not squeezed to 80 columns.
    width = None if probe.is_terminal else 200
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False, width=width)


# Before any console is made, and before typer's own help (if it prints) reads them.
settle_terminal_size(os.environ)
out = _console()
err = _console(stderr=True)


def term(value: object, style: str = "") -> Text:
    """Data as terminal text: never markup, control characters and bidirectional overrides
    shown as escapes (``formatting.visible``)."""
    return Text(visible("" if value is None else str(value)), style=style)


def print_error(error: HarnessError | str, *, console: Console | None = None) -> None:
    """The one error printer: each of the error's lines (``HarnessError.lines``: a config
    error's issues, a failed run's way on) as ``error: <line>`` on stderr. A line break inside
    a line (a name holding a newline) is shown escaped (``formatting.visible.one_line``): it
    made one error read as two."""
    target = console or err
    for line in error.lines() if isinstance(error, HarnessError) else [error]:
        target.print(Text("error: ", style="red") + Text(one_line(line)), soft_wrap=True)


def print_warning(text: str) -> None:
    """Something the command did not use, said as it finished: ``warning: <text>`` on stderr,
    one line, so output piped on stdout stays the command's own."""
    err.print(Text("warning: ", style="yellow") + Text(one_line(text)), soft_wrap=True)


def print_json(data: object) -> None:
    """Machine-readable output: plain JSON on stdout (no colour, no wrapping, no markup)."""
    from .datatypes import json_figures  # pydantic: not loaded for --help

    text = json.dumps(json_figures(data), indent=2, ensure_ascii=False, allow_nan=False)
    sys.stdout.write(text + "\n")


def fail(exc: HarnessError) -> typer.Exit:
    """Print a user-fixable error and return the ``typer.Exit`` carrying its exit code."""
    print_error(exc)
    return typer.Exit(exc.exit_code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a ``HarnessError`` raised inside into its printed lines and its exit code."""
    try:
        yield
    except HarnessError as exc:
        raise fail(exc) from None


class _Guarded:
    """A standard stream whose failed write never ends the command: a run piped into
    ``head -1`` or printing to a full disk still finishes and records every answer, and the
    suites after it still run. Unguarded, the first failed write raised wherever it happened
    (a progress line mid-run, the first suite's table) and ended the command there: click
    made a closed pipe exit 1 without a word.

    Once a write has failed, the stream's descriptor is pointed at /dev/null, so that what is
    still buffered is flushed there at exit rather than failing again, and the rest is dropped.
    A reader that has gone (EPIPE) chose to stop reading: the command's exit status stays its
    own. Any other failure (a full disk; a closed stream, ``>&-``) is kept in ``fault`` for
    :func:`lost_output` to report."""

    def __init__(self, stream: TextIO, *, closed: bool = False) -> None:
        self._stream = stream
        self._lost = False
        self._closed = closed  # the descriptor was closed when the process started
        self.fault: OSError | None = None

    def write(self, text: str) -> int:
        if self._closed and text and self.fault is None:
            self.fault = OSError(errno.EBADF, "it is closed")
        if not self._lost:
            try:
                return self._stream.write(text)
            except OSError as exc:
                self._fail(exc)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if not self._lost:
            try:
                self._stream.flush()
            except OSError as exc:
                self._fail(exc)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)

    def _fail(self, exc: OSError) -> None:
        self._lost = True
        if exc.errno != errno.EPIPE and self.fault is None:
            self.fault = exc
        # No descriptor (a test's stream): dropping what is written is enough.
        with suppress(OSError, ValueError):
            _to_devnull(self._stream.fileno())


def _to_devnull(fd: int) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        if devnull != fd:
            os.dup2(devnull, fd)
    finally:
        if devnull != fd:
            os.close(devnull)


def guard_streams() -> None:
    """Guard ``sys.stdout`` and ``sys.stderr`` (:class:`_Guarded`) for the rest of the process;
    the consoles here look the streams up at each print, so they write through the guards.

    A standard descriptor closed at start (``>&-``) is opened on /dev/null first: left closed,
    the next file the command opened (a run's journal) would take its number, and whatever
    writes to it (a child process) would write into that file."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            _to_devnull(fd)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        stream = getattr(sys, name)
        if isinstance(stream, _Guarded):
            continue
        if stream is None:  # Python's stand-in for a closed descriptor
            # Open for the rest of the process, as the stream it stands in for would be.
            reopened = open(fd, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
            setattr(sys, name, cast(TextIO, _Guarded(reopened, closed=True)))
        else:
            # Text the stream's encoding lacks (PYTHONIOENCODING=ascii, a suite named 'sü日')
            # as escapes: strict, Python's default for stdout, made a name an internal error.
            with suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")
            setattr(sys, name, cast(TextIO, _Guarded(stream)))


def lost_output() -> HarnessError | None:
    """Standard output that could not be written (a full disk, a closed descriptor) as one
    line naming it, exit 3; None where it was written, or its reader stopped reading (a pipe
    into ``head``: no fault). Standard error's failures are not reported: there is nowhere to."""
    stream = sys.stdout
    fault = stream.fault if isinstance(stream, _Guarded) else None
    if fault is None:
        return None
    return RunFailedError(
        f"standard output: {fault.strerror or fault}; what the command printed there was "
        "lost (send it to a file or a pipe that can take it)"
    )
