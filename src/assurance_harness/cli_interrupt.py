"""Ctrl-C in an ``assurance`` command: one line on stderr naming the command and what the
interruption left, then exit 130.

typer turns a ``KeyboardInterrupt`` into exit 130 and says nothing, so a Ctrl-C in ``validate``
of a large suite, ``evidence verify`` or ``report`` could not be told from a crash or a kill,
nor whether anything had been changed. ``run`` says more (the responses saved and the command
that resumes the run) and prints its own line; every other command's callback is wrapped here
(:func:`say_interrupts`, applied by ``cli.command`` to the whole tree). Ctrl-C while the command
starts, before any of its code runs, stays the quiet exit 130 of ``cli_startup``.
"""

from __future__ import annotations

from typing import Any

import typer

from .console import err, term
from .errors import ExitCode

READS_ONLY: dict[str, str | None] = {
    "validate": None,
    "schema": None,
    "runs list": None,
    "targets list": None,
    "targets check": None,
    "scorers list": None,
    "scorers check": "--write-card",
    "compare": None,
    "trend": None,
    "baseline show": None,
    "baseline check": None,
    "register status": None,
    "register show": None,
    "register export": None,
    "register soa": None,
    "register schema": None,
    "register validate": None,
    "evidence verify": "--repair-anchor",
    "evidence head": None,
    "evidence list": None,
    "review queue": None,
    "review history": None,
    "review status": None,
    "review agreement": None,
}
"""Commands that change nothing (named without ``assurance``), each with the option that makes
it write (``--write-card``, ``--repair-anchor``) where it has one. An ``--out`` file they write is
renamed into place whole once it is ready (``store.files.write_output``)."""


def interrupted_line(command: str, given: set[str]) -> str:
    """What a Ctrl-C in ``command`` (``evidence verify``) left; ``given``: the options given
    a value (whether it was asked to write)."""
    said = f"assurance {command} stopped before it finished"
    if command in READS_ONLY and READS_ONLY[command] not in given:
        whole = " (an --out file is written whole once it is ready, or not at all)"
        return f"{said}; nothing was changed" + (whole if "--out" in given else "")
    return f"{said}; what it had written before is kept as it was written"


def say_interrupts(command: Any, path: tuple[str, ...] = ()) -> None:
    """Have the click ``command`` and every command under it (but ``run``, which says more
    itself) print :func:`interrupted_line` on a ``KeyboardInterrupt`` and end with exit 130
    (as ``cli_usage`` wraps them: typer carries its own copy of click)."""
    subcommands = getattr(command, "commands", None)
    if subcommands is not None:
        for name, sub in subcommands.items():
            say_interrupts(sub, (*path, name))
        return
    if path == ("run",):
        return
    invoke, name = command.invoke, " ".join(path)

    def run(ctx: Any) -> Any:
        try:
            return invoke(ctx)
        except KeyboardInterrupt:
            line = interrupted_line(name, _given(ctx))
            err.print(term("interrupted: ", "yellow") + term(line), soft_wrap=True)
            raise typer.Exit(ExitCode.INTERRUPTED) from None

    command.invoke = run


def _given(ctx: Any) -> set[str]:
    """The long options of the running command given a value (not None, not False)."""
    return {
        opt
        for param in ctx.command.params
        if ctx.params.get(param.name or "") not in (None, False)
        for opt in param.opts
        if opt.startswith("--")
    }
