"""The command line's terminal output: one place, and user text is never read as Rich markup.

Suite names, metric ids, dataset ids, file names and model output reach the terminal. Read as
Rich markup, ``[/red]`` raises ``MarkupError`` (a traceback and the wrong exit code) and
``[bold]x`` silently loses its brackets. So both consoles here have markup switched off: a plain
string prints exactly as it is, and colour is added only through :func:`term` / ``Text`` styles.
Control characters are shown as escapes so that model output cannot restyle or clear the
terminal. Every user-fixable error goes through :func:`print_error` (one ``error:`` line each).
Standard output and error are guarded (:func:`guard_streams`): a reader that has gone never
ends a command early.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO, cast

import typer
from rich.console import Console
from rich.text import Text

from .errors import HarnessError
from .formatting.visible import visible

__all__ = [
    "err",
    "fail",
    "guard_streams",
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


out = _console()
err = _console(stderr=True)


def term(value: object, style: str = "") -> Text:
    """Data as terminal text: never markup, control characters and bidirectional overrides
    shown as escapes (``formatting.visible``)."""
    return Text(visible("" if value is None else str(value)), style=style)


def print_error(error: HarnessError | str, *, console: Console | None = None) -> None:
    """The one error printer: each line of the message as ``error: <line>`` on stderr."""
    target = console or err
    for line in str(error).splitlines() or [""]:
        target.print(Text("error: ", style="red") + term(line), soft_wrap=True)


def print_warning(text: str) -> None:
    """Something the command did not use, said as it finished: ``warning: <text>`` on stderr,
    so output piped on stdout stays the command's own."""
    err.print(Text("warning: ", style="yellow") + term(text), soft_wrap=True)


def print_json(data: object) -> None:
    """Machine-readable output: plain JSON on stdout (no colour, no wrapping, no markup)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


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
    """A standard stream whose reader's going never ends the command: a run piped into
    ``head -1`` still finishes and records every answer, and the suites after it still run.
    Unguarded, the first write after the reader had gone raised ``BrokenPipeError`` wherever
    it happened (a progress line mid-run), and click ended the process there with exit 1.

    Once the reader has gone, the stream's descriptor is pointed at /dev/null, so that what is
    still buffered is flushed there at exit rather than failing again, and the rest is dropped.
    The reader chose to stop reading: the command's exit status stays its own."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lost = False

    def write(self, text: str) -> int:
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
        if exc.errno != errno.EPIPE:
            raise exc
        self._lost = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._stream.fileno())
            finally:
                os.close(devnull)
        except (OSError, ValueError):  # no descriptor (a test's stream): dropping is enough
            pass


def guard_streams() -> None:
    """Guard ``sys.stdout`` and ``sys.stderr`` (:class:`_Guarded`) for the rest of the process;
    the consoles here look the streams up at each print, so they write through the guards."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _Guarded):
            setattr(sys, name, cast(TextIO, _Guarded(stream)))
