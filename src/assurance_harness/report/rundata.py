"""Read a finished run directory (docs/FORMATS.md) into one object that every report uses.

Reports and comparisons only read runs; they never write into summary, manifest or results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..store.runread import iter_jsonl, row_key


@dataclass
class RunData:
    """The files of one run. ``rows()`` streams results.jsonl so large runs are not held twice."""

    run_dir: Path
    summary: dict[str, Any]
    manifest: dict[str, Any] | None = None
    run_info: dict[str, Any] | None = None
    _rows: list[dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def run_id(self) -> str:
        return str(self.summary.get("run_id") or self.run_dir.name)

    @property
    def suite_name(self) -> str:
        return str((self.summary.get("suite") or {}).get("name") or "unknown-suite")

    @property
    def target_name(self) -> str:
        return str((self.summary.get("target") or {}).get("name") or "unknown-target")

    @property
    def status(self) -> str:
        return str(self.summary.get("status") or "unknown")

    @property
    def results_path(self) -> Path:
        return self.run_dir / "results.jsonl"

    @property
    def metrics(self) -> dict[str, dict[str, Any]]:
        return dict(self.summary.get("metrics") or {})

    @property
    def gates(self) -> list[dict[str, Any]]:
        return list(self.summary.get("gates") or [])

    def rows(self) -> list[dict[str, Any]]:
        """All result rows, read once and kept (a torn last line from a crash is ignored)."""
        if self._rows is None:
            self._rows = list(iter_jsonl(self.results_path))
        return self._rows

    def rows_by_key(self) -> dict[str, dict[str, Any]]:
        """Rows keyed by ``case_id#sample``, the key ``worst_cases`` uses."""
        return {row_key(row): row for row in self.rows()}


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); the run directory is damaged"
        ) from None
    return value if isinstance(value, dict) else None


def load_run(run_dir: Path | str) -> RunData:
    """Load a run directory; a directory without summary.json is a usage error, not a crash."""
    run_dir = Path(run_dir)
    summary = _read_json(run_dir / "summary.json")
    if summary is None:
        raise UsageError(
            f"{run_dir}: no summary.json; is this a finished run directory "
            "(reports/<run_id>/)? Unfinished runs can be completed with --resume"
        )
    return RunData(
        run_dir=run_dir,
        summary=summary,
        manifest=_read_json(run_dir / "manifest.json"),
        run_info=_read_json(run_dir / "run.json"),
    )
