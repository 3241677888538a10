"""Where a project keeps its files: the one place that spells out the default paths.

A project (the folder the commands run in) holds the risk register at
``register/risk_register.yaml`` and a reports folder (``reports/`` unless ``--reports`` says
otherwise) with the run folders, the run index ``runs.db``, the response cache ``cache.sqlite``
and the evidence ledger ``evidence/ledger.jsonl``. Commands, the runner and the pytest plugin
build a ``Workspace`` from their options instead of joining these names themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CACHE_NAME",
    "DEFAULT_REGISTER",
    "DEFAULT_REPORTS",
    "INDEX_NAME",
    "LEDGER_RELPATH",
    "Workspace",
]

DEFAULT_REPORTS = Path("reports")
DEFAULT_REGISTER = Path("register/risk_register.yaml")
INDEX_NAME = "runs.db"
CACHE_NAME = "cache.sqlite"
LEDGER_RELPATH = Path("evidence/ledger.jsonl")


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
        return self.ledger_path if self.ledger_path is not None else self.reports / LEDGER_RELPATH

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
