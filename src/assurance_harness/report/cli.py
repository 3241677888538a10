"""CLI: ``assurance report RUN_ID [--format html,md,json,junit] [--out DIR]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import HarnessError


def report(
    run_id: Annotated[str, typer.Argument(help="Run id or run directory.")],
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: html, md, json, junit.")
    ] = "html,md,json,junit",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Directory for the files (default: the run directory)."),
    ] = None,
    reports: Annotated[
        Path, typer.Option("--reports", help="Directory of run folders and runs.db.")
    ] = Path("reports"),
) -> None:
    """(Re)write a run's reports: self-contained HTML, Markdown, JSON and JUnit XML."""
    from ..compare.runs import resolve_run
    from .writer import parse_formats, write_reports

    stdout = Console() if Console().is_terminal else Console(width=200)
    try:
        chosen = parse_formats(formats)
        run = resolve_run(run_id, reports)
        written = write_reports(run.run_dir, chosen, out_dir=out)
    except HarnessError as exc:
        Console(stderr=True).print(
            f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(exc.exit_code) from None
    for name, path in written.items():
        stdout.print(f"{name:6} {path}", highlight=False, soft_wrap=True, markup=False)


def install(app: typer.Typer) -> None:
    """Add ``report`` to the ``assurance`` command."""
    app.command("report")(report)
