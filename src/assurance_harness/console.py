"""The command line's terminal output: one place, and user text is never read as Rich markup.

Suite names, metric ids, dataset ids, file names and model output reach the terminal. Read as
Rich markup, ``[/red]`` raises ``MarkupError`` (a traceback and the wrong exit code) and
``[bold]x`` silently loses its brackets. So both consoles here have markup switched off: a plain
string prints exactly as it is, and colour is added only through :func:`term` / ``Text`` styles.
Control characters are shown as escapes so that model output cannot restyle or clear the
terminal. Every user-fixable error goes through :func:`print_error` (one ``error:`` line each).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.text import Text

from .errors import HarnessError
from .formatting.visible import visible

__all__ = [
    "err",
    "fail",
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
