"""Options shared by the ``assurance`` commands, so each means the same thing everywhere.

Conventions (README, "Command line"):

- ``--format/-f`` chooses the output (``table`` or ``json``; some commands add ``md``, ``html``
  ...). ``--json`` is kept as a hidden alias of ``--format json`` where it existed.
- ``--out/-o`` writes to a file or folder. A file's suffix names a format the command writes,
  and it is never a file the command reads (``store.files.check_output_file``).
- ``--target`` takes a target file (``targets/staging.yaml``) everywhere. Where a command only
  looks runs up (``trend``, ``baseline check|clear``), the target's name works as well, as
  recorded in the run index (``compare.cli.target_name``).
- ``--reports`` is the folder of run folders and ``runs.db``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .errors import UsageError
from .workspace import reports_fault


def not_blank(option: str, value: str | None, what: str, *, optional: bool = True) -> None:
    """Refuse an option given as blank text, ``--suite "$UNSET"`` in a script: it matched
    nothing (or, as ``--store``, chose a default), and the line that said so left the empty
    value out, naming no option."""
    if value is not None and not value.strip():
        fix = f"give {what}" + (", or leave it out" if optional else "")
        raise UsageError(f"{option}: empty (an unset variable?); {fix}")


def not_stdout(value: Path | None) -> Path | None:
    """``--out -``, refused (the callback of every command's ``--out``): ``-`` reads as standard
    output, and a file named ``-`` was written instead, where the next ``cat -`` reads the
    terminal."""
    if value is not None and str(value) == "-":
        raise UsageError(
            "--out -: a file named '-' would be written, not standard output; give a file "
            "name (without --out, the command prints to standard output what it can)"
        )
    return value


def reports_folder(value: Path) -> Path:
    """``--reports`` that can never be a folder (a file, a path through one, a named pipe, a
    socket or a device; ``workspace.reports_fault``): refused by every command (the callback
    of each command's ``--reports``)."""
    problem = reports_fault(value)
    if problem is not None:
        raise UsageError(problem)
    return value


ReportsOpt = Annotated[
    Path,
    typer.Option(
        "--reports", help="Directory of run folders and runs.db.", callback=reports_folder
    ),
]
TableFormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="table or json.", metavar="table|json")
]
JsonAliasOpt = Annotated[
    bool, typer.Option("--json", hidden=True, help="Same as --format json (older spelling).")
]


def output_format(value: str, as_json: bool, choices: tuple[str, ...] = ("table", "json")) -> str:
    """The chosen output format: ``--json`` means ``json``; anything unknown is a usage error,
    beside --json too (``--json -f xml`` printed JSON, and the typo passed unnoticed)."""
    if value not in choices:
        raise UsageError(f"--format: unknown format '{value}'; use {' or '.join(choices)}")
    return "json" if as_json else value
