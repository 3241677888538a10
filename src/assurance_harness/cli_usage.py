"""The command line's own usage errors as one ``error:`` line naming what is wrong and the help
to read, exit 2, as every other error a user can fix is printed.

click finds these while it parses (an unknown option or command, a missing argument or option
value, a value of the wrong type, extra arguments). typer printed each as click's usage line,
a 'Try ... --help' line and a boxed Rich panel, importing ``typer.rich_utils`` to draw it
(about 0.1 s); an option missing its value ('run s.yaml -t') named no command at all. Any
other click error would have been exit 1, the code CI reads as "a gate failed".

``cli.command()`` gives every group and command of the ``assurance`` tree this handling
(:func:`one_line_usage_errors`), so whatever runs that tree prints the same line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from .console import fail
from .errors import UsageError

__all__ = ["one_line_usage_errors", "usage_error"]

# typer 0.29 carries its own copy of click and older typers use click itself: the classes are
# found through the one typer exports, by name (as typer finds NoArgsIsHelpError).
_CLASSES = {cls.__name__: cls for cls in typer.BadParameter.__mro__}
_CLICK_ERROR: type[Exception] = _CLASSES["ClickException"]

_DID_YOU_MEAN = re.compile(r"\.?\s*Did you mean (?P<what>.+?)\?$")
_POSSIBLE = re.compile(r"\s*\(Possible options: (?P<what>.+)\)$")


def one_line_usage_errors(command: Any) -> None:
    """Print the usage errors of the click ``command`` (a command or a group) as one line and
    exit 2: those found parsing its own arguments (where its context is known, which click's
    error for an option missing its value lacks), and those raised as it runs (a group
    choosing its subcommand, a command's own ``typer.BadParameter``)."""
    parse_args, invoke = command.parse_args, command.invoke

    def parse_own_args(ctx: Any, args: list[str]) -> list[str]:
        with _one_line(ctx):
            return parse_args(ctx, args)

    def run(ctx: Any) -> Any:
        with _one_line(ctx):
            return invoke(ctx)

    command.parse_args, command.invoke = parse_own_args, run


@contextmanager
def _one_line(ctx: Any) -> Iterator[None]:
    try:
        yield
    except _CLICK_ERROR as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # a group named alone: its help, exit 2
            raise
        raise fail(usage_error(exc, ctx)) from None


def usage_error(exc: Exception, ctx: Any) -> UsageError:
    """click's error ``exc`` as the harness's usage error: click's message as a phrase, a
    suggestion as 'did you mean', and the ``--help`` of the command it was raised for (``ctx``
    where click gave it none: an option missing its value)."""
    format_message = getattr(exc, "format_message", None)
    text = " ".join(str(format_message() if format_message else exc).split())
    suggestion = _POSSIBLE.search(text) or _DID_YOU_MEAN.search(text)
    if suggestion is not None:
        text = f"{text[: suggestion.start()]} (did you mean {suggestion['what']}?)"
    text = text.rstrip(".")
    if text[:2].istitle():  # 'No such option' as a phrase; 'URL ...' left as it is
        text = text[0].lower() + text[1:]
    where = getattr(exc, "ctx", None) or ctx
    return UsageError(f"{text}; see '{where.command_path} --help'")
