"""CLI: ``assurance report RUN_ID [--format html,md,json,junit] [--out DIR]``."""

from pathlib import Path
from typing import Annotated

import typer

from ..cli_options import not_stdout, reports_folder
from ..console import out, print_warning, term, user_errors
from ..errors import RunFailedError, UsageError
from ..workspace import Workspace


def report(
    run_id: Annotated[str, typer.Argument(help="Run id or run directory.")],
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: html, md, json, junit.")
    ] = "html,md,json,junit",
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            callback=not_stdout,
            help="Directory for the files (default: the run directory).",
        ),
    ] = None,
    reports: Annotated[
        Path,
        typer.Option(
            "--reports", help="Directory of run folders and runs.db.", callback=reports_folder
        ),
    ] = Path("reports"),
) -> None:
    """(Re)write a run's reports: self-contained HTML, Markdown, JSON and JUnit XML."""
    from ..store.runread import resolve_run
    from .writer import parse_formats, write_reports

    with user_errors():
        chosen = parse_formats(formats)
        run_dir = resolve_run(run_id, reports)
        ledger = Workspace.at(reports).ledger  # whose purge records say a gone file's fate
        if out_dir is not None:  # the user's folder: a file or a link there is theirs to fix
            from ..store.files import output_faults

            _not_another_run(out_dir, run_dir)

            with output_faults(out_dir, kind="folder"):
                written = write_reports(
                    run_dir, chosen, out_dir=out_dir, warn=print_warning, ledger=ledger
                )
        else:
            written = _write_in_run(run_dir, chosen, ledger)
    for name, path in written.items():
        out.print(term(f"{name:6} {path}"), soft_wrap=True)


def _not_another_run(out_dir: Path, run_dir: Path) -> None:
    """Refuse an --out in another run's folder, or below it (``store.files.run_folder_holding``):
    its report.json, report.md and junit.xml would be replaced by this run's, or this run's
    would lie among its evidence, so the folder would describe a run it is not. The run's own
    folder is the default, and allowed."""
    from ..store.files import run_folder_holding

    other = run_folder_holding(out_dir)
    try:
        own = other is not None and other.samefile(run_dir)
    except OSError:
        own = False
    if other is not None and not own:
        where = "is the folder" if other == out_dir.resolve() else "is in the folder"
        raise UsageError(
            f"--out {out_dir}: {where} of run {other.name}, whose reports these would "
            f"replace or stand among; give another folder, or leave --out out to write in "
            f"{run_dir}"
        )


def _write_in_run(run_dir: Path, chosen: list[str], ledger: Path) -> dict[str, Path]:
    """The reports in the run's own folder; a fault there is a storage fault (exit 3)."""
    from .writer import write_reports

    try:
        return write_reports(run_dir, chosen, warn=print_warning, ledger=ledger)
    except OSError as exc:  # a storage fault, as in 'assurance run': exit 3, one line
        # A failed rename names its destination second: the report, not its temporary file.
        where = exc.filename2 or exc.filename or run_dir
        raise RunFailedError(
            f"cannot write {where}: {exc.strerror or exc}; fix that, or write the reports "
            "elsewhere with --out DIR (the run's own files are unchanged)"
        ) from None
