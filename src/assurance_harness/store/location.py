"""Which store a command uses: the embedded files and SQLite, or a PostgreSQL team store.

In order: ``--store URL`` on the command line, the ``ASSURANCE_STORE`` environment variable,
``store:`` in the project configuration (``assurance.yaml``), else the embedded default
(``reports/runs.db`` and the JSONL ledger). ``sqlite`` names the embedded default explicitly
(so does an empty ``store:``); an empty ``ASSURANCE_STORE`` is as unset, and an empty
``--store`` is refused (``cli``: an unset variable, most likely).
The run index, baselines, reviews and the ledger all follow the same choice,
so one history is never split between two stores.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import ConfigError, HarnessError, UsageError
from .database import Database, SqliteDatabase

STORE_ENV = "ASSURANCE_STORE"
PROJECT_FILE = "assurance.yaml"
EMBEDDED = "sqlite"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}")
"""A URL's scheme (RFC 3986), the one part of an unknown store that is safe to show."""

_cli_store: str | None = None
_cli_source = "--store"
"""What gave ``_cli_store``, for messages: ``--store``, or ``store migrate``'s ``--to``."""
_databases: dict[str, Database] = {}


def set_cli_store(url: str | None) -> None:
    """The ``--store`` the command line gave (None: not given)."""
    global _cli_store
    if url is not None:
        check_store_url(url)
    _cli_store = url


def cli_store() -> str | None:
    """The ``--store`` the command line gave (None: not given), for the commands the harness
    prints to continue: they must use the same store."""
    return _cli_store


def follow_up(command: str) -> str:
    """``command`` (``assurance ...``), as a message prints it for the user to run next, with
    the ``--store`` this command was given (as the global option): without it, the command
    followed as printed would read or write the embedded store and split the team's history."""
    if _cli_store is None:
        return command
    rest = command.removeprefix("assurance ")
    return f"assurance --store {shlex.quote(_cli_store)} {rest}"


@contextmanager
def using_store(url: str | None, *, source: str = "--store") -> Iterator[None]:
    """Within the block, the store is ``url`` (``sqlite`` or None: the embedded one) whatever
    the configuration says; ``store migrate`` reads one store and writes the other.
    ``source``: the option that gave ``url``, named in messages that say to fix it."""
    global _cli_store, _cli_source
    previous = _cli_store, _cli_source
    _cli_store, _cli_source = url or EMBEDDED, source
    try:
        yield
    finally:
        _cli_store, _cli_source = previous


def check_store_url(url: str) -> None:
    """Refuse a store that is neither ``sqlite`` nor a usable PostgreSQL URL (StoreError)."""
    from .postgres import PgUrl, StoreError, is_postgres_url

    if url.strip() in ("", EMBEDDED):
        return
    scheme = url.split("://")[0]
    if scheme.strip().casefold() == EMBEDDED:
        # A sqlite:// URL reads as a choice of database file, which the embedded store does
        # not take: its file is always <reports>/runs.db.
        raise StoreError(
            f"{url}: the embedded store takes no URL (its file is REPORTS/runs.db); use "
            "sqlite, or no store at all, and choose the folder with --reports"
        )
    if not is_postgres_url(url):
        # Only a URL's scheme is echoed: what comes before "://" in text that is no URL (libpq's
        # "host=... password=...", "postgresql//USER:PASSWORD@HOST") may be all of it, secrets
        # included, and this line goes to a CI log.
        named = f"'{scheme}'" if _SCHEME.fullmatch(scheme) else "(not a URL)"
        raise StoreError(
            f"unknown store {named}: use sqlite (the default) or "
            "postgresql://USER@HOST/DB?password_env=VAR"
        )
    PgUrl(url)


def _chosen() -> tuple[str | None, str]:
    """The store as given (None: not given anywhere) and what gave it, in the order of the
    module's docstring."""
    # ASSURANCE_STORE= (a CI secret not set) is as unset, as other variables are: the project
    # file's store: is read, not replaced by the embedded store without a word.
    variable = os.environ.get(STORE_ENV, "")
    if _cli_store is not None:
        return _cli_store, _cli_source
    if variable.strip():
        return variable, STORE_ENV
    return _configured_store(), PROJECT_FILE


def store_source() -> str:
    """Where the store in force was given, as a message names the setting to fix:
    ``--store``, ``$ASSURANCE_STORE`` or ``store: in assurance.yaml``."""
    source = _chosen()[1]
    return {STORE_ENV: f"${STORE_ENV}", PROJECT_FILE: f"store: in {PROJECT_FILE}"}.get(
        source, source
    )


def store_url() -> str | None:
    """The PostgreSQL URL in force, or None for the embedded store."""
    chosen, source = _chosen()
    if chosen is None or chosen.strip() in ("", EMBEDDED):
        return None
    try:
        check_store_url(chosen)
    except HarnessError as exc:
        raise type(exc)(f"{source}: store: {exc}") from None
    return chosen


def reports_to_read(reports: Path) -> Path:
    """``--reports`` of a command that only reads, refused where no such folder is there and the
    store is the embedded one (its ``runs.db`` lives in that folder): a mistyped path was made,
    with an empty ``runs.db``, and read as "no row waits for review". With a team store the
    queue and verdicts are read from it, and a machine may have no run folders."""
    if not reports.is_dir() and store_url() is None:
        raise UsageError(f"--reports {reports}: no such folder; give the folder the runs are in")
    return reports


def same_store(recorded: str, in_force: str | None) -> bool:
    """Whether the team store a run was started with (``recorded``, its URL) is the store in
    force (``in_force``: ``store_url()``, None for the embedded one). The same server, database,
    user and connection parameters are one store; the variable its password is read from may
    be named differently where the run is resumed."""
    from .postgres import PgUrl

    return in_force is not None and PgUrl(recorded).conninfo == PgUrl(in_force).conninfo


def _configured_store() -> str | None:
    """``store:`` of ``assurance.yaml`` in the working directory. Read here, not through
    ``privacy.policy.load_project_config`` (a higher layer), which validates the same key. A
    file that cannot be read is an error here too: skipping it would read the embedded store
    where the file may name a team store."""
    value = read_project_file(Path(PROJECT_FILE)).get("store")
    return None if value is None else str(value)


def read_project_file(path: Path) -> dict[str, Any]:
    """The settings in the project file at ``path`` ({} when there is none); a file that is not
    UTF-8, not YAML or not a mapping is a ConfigError naming it (and the line, where known).

    Only a path with nothing there means "no settings": a directory, a FIFO or a dangling
    symlink in the file's place is an error, since reading it as no file would turn redaction
    and the team store off without a word (and a FIFO would block until a writer came)."""
    if not os.path.lexists(path):
        return {}
    if path.is_symlink() and not path.exists():
        raise ConfigError.single(
            str(path),
            f"is a symlink to {os.readlink(path)}, which does not exist",
            hint="restore the file it points to, or remove the link",
        )
    if path.is_dir():
        raise ConfigError.single(
            str(path), "is a directory, not the project settings file", hint="move it aside"
        )
    if not path.is_file():
        raise ConfigError.single(
            str(path),
            "is not a regular file (a FIFO or a device)",
            hint="make it the project settings file, or move it aside",
        )
    from .files import read_bounded
    from .yaml_lines import parse_yaml_with_lines

    try:
        raw = read_bounded(path, str(path), hint="project settings are a few lines")
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        # The suites' loader: nesting, aliases and the number of values bounded, lines named.
        data = parse_yaml_with_lines(text, str(path))[0] or {}
    except UnicodeDecodeError:
        raise ConfigError.single(str(path), "not UTF-8", hint="save the file as UTF-8") from None
    except OSError as exc:
        raise ConfigError.single(str(path), f"cannot read file: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise ConfigError.single(str(path), "expected a mapping of settings (key: value)")
    return data


def team_database() -> Database | None:
    """The PostgreSQL team store in force (schema created on first use), or None."""
    url = store_url()
    if url is None:
        return None
    if url not in _databases:
        from .postgres import PostgresDatabase

        _databases[url] = PostgresDatabase(url, source=store_source())
    database = _databases[url]
    database.ensure_schema()
    return database


def index_available(embedded: str | Path) -> bool:
    """Whether there is a run index to read: a team store is configured, or ``runs.db`` exists
    (readers fall back to scanning run folders otherwise)."""
    return store_url() is not None or Path(embedded).exists()


def open_database(embedded: str | Path | Database) -> Database:
    """The database a store object works on: a ``Database`` as given; for a path (the embedded
    ``runs.db``), the team store when one is configured, else that SQLite file."""
    if isinstance(embedded, Database):
        return embedded
    return team_database() or SqliteDatabase(embedded)
