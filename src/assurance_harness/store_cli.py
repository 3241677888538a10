"""``assurance store``: move an embedded store (``runs.db`` and the JSONL ledger) into a
PostgreSQL team store, and verify the chain there."""

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from .cli_options import ReportsOpt
from .console import fail, out
from .errors import HarnessError, UsageError
from .workspace import Workspace

store_app = typer.Typer(
    help="The store: embedded (runs.db + JSONL ledger) or a PostgreSQL team store.",
    no_args_is_help=True,
)


def _check_something_to_migrate(workspace: Workspace) -> None:
    """Refuse a reports folder with neither a run index nor a ledger (a misspelt ``--reports``
    or ``--ledger``): migrated, nothing was copied and the command said so as a success, which
    reads as the project's history being in the team store now."""
    if workspace.index.exists() or workspace.ledger.exists():
        return
    raise UsageError(
        f"nothing to migrate: neither {workspace.index} nor {workspace.ledger} exists; give "
        "--reports the folder that holds runs.db (and --ledger the evidence ledger, if it is "
        "elsewhere)"
    )


@store_app.command("migrate")
def store_migrate(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="The team store: postgresql://USER@HOST/DB?password_env=VAR.",
            metavar="URL",
        ),
    ],
    reports: ReportsOpt = Path("reports"),
    ledger: Annotated[
        Path | None,
        typer.Option(help="The JSONL ledger (default: <reports>/evidence/ledger.jsonl)."),
    ] = None,
) -> None:
    """Copy the run index, baselines, reviews and evidence ledger into PostgreSQL.

    The ledger's chain is verified there once copied. Safe to run again; refuses a target
    holding a different history."""
    from .register.ledger import verify_ledger
    from .register.ledger_team import migrate_ledger
    from .store.database import SqliteDatabase
    from .store.location import check_store_url, team_database, using_store
    from .store.migrate import copy_tables
    from .store.postgres import StoreError, is_postgres_url

    workspace = Workspace.at(reports, ledger=ledger)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        if not is_postgres_url(to):
            raise StoreError("--to: the target must be a postgresql:// URL")
        check_store_url(to)
        _check_something_to_migrate(workspace)
        with using_store(to, source="--to"):
            target = team_database()
            assert target is not None
            tables = copy_tables(SqliteDatabase(workspace.index), target)
            copied, present = migrate_ledger(workspace.ledger, to, now)
            report = verify_ledger(workspace.ledger, check_files=True)
    except HarnessError as exc:
        raise fail(exc) from None
    for table, count in tables.copied.items():
        out.print(f"{table}: {count} copied, {tables.present.get(table, 0)} already there")
    out.print(f"evidence ledger: {copied} records copied, {present} already there")
    where = target.where
    if report.ok:
        out.print(
            f"verified {where}: {report.records} records, head {(report.head or '-')[:12]}, "
            f"{report.files_checked} run files re-hashed"
        )
        return
    for issue in report.issues:
        out.print(
            f"{where}: {issue.kind}: {issue.message}"
            + (f" (record {issue.record_id})" if issue.record_id else "")
        )
    raise typer.Exit(1)
