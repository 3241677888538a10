"""Where a project keeps its files: the one place that spells out the default paths.

A project (the folder the commands run in) holds the risk register at
``register/risk_register.yaml`` and a reports folder (``reports/`` unless ``--reports`` says
otherwise) with the run folders, the run index ``runs.db``, the response cache ``cache.sqlite``
and the evidence ledger ``evidence/ledger.jsonl``. Commands, the runner and the pytest plugin
build a ``Workspace`` from their options instead of joining these names themselves.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CACHE_NAME",
    "DEFAULT_REGISTER",
    "DEFAULT_REPORTS",
    "INDEX_NAME",
    "LEDGER_RELPATH",
    "RUN_STATE",
    "SUMMARY",
    "Workspace",
    "ledger_file",
    "reports_fault",
]

DEFAULT_REPORTS = Path("reports")
DEFAULT_REGISTER = Path("register/risk_register.yaml")
INDEX_NAME = "runs.db"
CACHE_NAME = "cache.sqlite"
LEDGER_RELPATH = Path("evidence/ledger.jsonl")
RUN_STATE = "run.json"
"""The file every run writes first in its own folder (``store.runread`` reads it)."""
SUMMARY = "summary.json"
"""The file a finished run writes in its own folder."""


@dataclass(frozen=True)
class Workspace:
    """The paths of one project; explicit options (``--ledger``, ``--register``) win."""

    reports: Path = DEFAULT_REPORTS
    register_path: Path | None = None
    ledger_path: Path | None = None

    @classmethod
    def at(
        cls,
        reports: str | Path | None = None,
        *,
        register: str | Path | None = None,
        ledger: str | Path | None = None,
    ) -> Workspace:
        return cls(
            reports=Path(reports) if reports is not None else DEFAULT_REPORTS,
            register_path=Path(register) if register is not None else None,
            ledger_path=Path(ledger) if ledger is not None else None,
        )

    @property
    def index(self) -> Path:
        """The run index (SQLite)."""
        return self.reports / INDEX_NAME

    @property
    def cache(self) -> Path:
        """The response cache (SQLite)."""
        return self.reports / CACHE_NAME

    @property
    def ledger(self) -> Path:
        """The evidence ledger: ``--ledger``, else ``<reports>/evidence/ledger.jsonl``."""
        return ledger_file(
            self.ledger_path if self.ledger_path is not None else self.reports / LEDGER_RELPATH
        )

    @property
    def register(self) -> Path:
        """The risk register: ``--register``, else ``register/risk_register.yaml``."""
        return self.register_path if self.register_path is not None else DEFAULT_REGISTER

    def register_if_present(self) -> Path | None:
        """The register to attach evidence for: the one given, else the default if it exists."""
        if self.register_path is not None:
            return self.register_path
        return DEFAULT_REGISTER if DEFAULT_REGISTER.exists() else None

    def run_dir(self, run_id: str) -> Path:
        return self.reports / run_id


def reports_fault(reports: Path, option: str = "--reports") -> str | None:
    """What is wrong with a reports folder that can never be one (the line to say, the caller's
    error to raise), else None: a regular file, a path through a file, a named pipe, a socket
    or a device. Each is the caller's mistake (exit 2): a run made in one failed only at its
    first write, as if the disk had (exit 3), and a reader took it for a folder with nothing in
    it ('no runs yet'). Raised by every command's ``--reports`` (``cli_options.reports_folder``)
    and by the runner before anything is sent. A path not there yet, or a folder, is left to
    the command."""
    fix = "give the folder of run folders and runs.db, or move it aside"
    try:
        mode = reports.stat().st_mode
    except NotADirectoryError:  # a file on the way: the folder can never be made there
        blocker = next((p for p in reports.parents if p.exists() and not p.is_dir()), reports)
        return f"{option} {reports}: {blocker} is a file, not a folder; {fix}"
    except OSError:
        return None
    kind = next((name for test, name in _NOT_FOLDERS if test(mode)), None)
    if kind is None:
        return _run_folder_fault(reports, option) if stat.S_ISDIR(mode) else None
    return f"{option} {reports}: is {kind}, not a folder; {fix}"


def _run_folder_fault(reports: Path, option: str) -> str | None:
    """The line for a run's own folder given as the reports folder (``--reports
    reports/<TAB>`` completes one level too deep), else None. Read as a reports folder it held
    no runs, no index and no ledger: 'register status' showed every risk untested and exit 0
    beside a ledger that says otherwise, and a run or 'ui --index' wrote into the folder whose
    files are that run's evidence."""
    if not any((reports / name).is_file() for name in (RUN_STATE, SUMMARY)):
        return None
    # '.' or '..' names no run: say the folder's own name, and its parent as a full path
    named = reports if reports.name not in ("", "..") else reports.resolve()
    return (
        f"{option} {reports}: is the folder of run {named.name}, not a folder of run "
        f"folders; give the folder that holds it ({named.parent})"
    )


_NOT_FOLDERS = (
    (stat.S_ISREG, "a file"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def ledger_file(path: Path) -> Path:
    """The ledger file ``path`` names, through a symlink to it: its lock, its ``.head`` anchor
    and the folder its records' run paths are relative to are all derived from this path, so a
    link (``audit/ledger.jsonl``) must not give the one file a second lock and anchor beside the
    link, nor record run folders relative to the link's folder. A path that is no link is kept
    as written (what existing records hold stays byte-identical); a link that loops is too, and
    is reported as such where the ledger is read."""
    try:
        return path.resolve() if path.is_symlink() else path
    except (RuntimeError, OSError):
        return path
