"""Read-only access to finished run directories (docs/FORMATS.md), as the register needs them.

The register only reads runs; it depends on the file format, not on the runner's code, so the
evidence tools also work on run directories copied from CI.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..store.runread import iter_jsonl, row_key

HASHED_FILES = ("results.jsonl", "summary.json", "manifest.json")
"""Run files whose SHA-256 each evidence record keeps and ``evidence verify`` re-checks."""


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: not found; is the run finished?") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a JSON object")
    return data


@dataclass
class RunFiles:
    """A finished run: its summary, its manifest, and where its results are."""

    dir: Path
    summary: dict[str, Any]
    manifest: dict[str, Any]

    @classmethod
    def load(cls, run_dir: Path) -> RunFiles:
        run_dir = Path(run_dir)
        if not run_dir.is_dir():
            raise UsageError(f"{run_dir}: no such run directory")
        return cls(
            dir=run_dir,
            summary=_read_json(run_dir / "summary.json"),
            manifest=_read_json(run_dir / "manifest.json"),
        )

    @property
    def run_id(self) -> str:
        return str(self.summary.get("run_id") or self.manifest.get("run_id") or self.dir.name)

    @property
    def results_path(self) -> Path:
        rel = (self.manifest.get("results") or {}).get("path") or "results.jsonl"
        return self.dir / rel

    @property
    def suite(self) -> dict[str, Any]:
        return dict(self.summary.get("suite") or {})

    @property
    def target(self) -> dict[str, Any]:
        return dict(self.summary.get("target") or {})

    @property
    def gates(self) -> list[dict[str, Any]]:
        return list(self.summary.get("gates") or [])

    @property
    def metrics(self) -> dict[str, dict[str, Any]]:
        return dict(self.summary.get("metrics") or {})

    def iter_results(self) -> Iterator[dict[str, Any]]:
        """Rows of results.jsonl; a torn last line is skipped, as the runner does on resume."""
        return iter_jsonl(self.results_path)

    def rows_by_key(self, keys: set[str]) -> dict[str, dict[str, Any]]:
        """Rows whose ``case_id#sample`` key is in ``keys`` (the gates' worst cases)."""
        found: dict[str, dict[str, Any]] = {}
        if not keys:
            return found
        for row in self.iter_results():
            key = row_key(row)
            if key in keys:
                found[key] = row
        return found


def resolve_run(reports: Path, run: str) -> Path:
    """A run id (or unique prefix) under ``reports``, or a path to a run directory."""
    direct = Path(run)
    if direct.is_dir() and (direct / "summary.json").exists():
        return direct
    candidate = reports / run
    if candidate.is_dir():
        return candidate
    if reports.is_dir():
        matches = sorted(
            p
            for p in reports.iterdir()
            if p.is_dir() and p.name.startswith(run) and (p / "summary.json").exists()
        )
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = ", ".join(p.name for p in matches[:5])
            raise UsageError(f"run id '{run}' is ambiguous in {reports}: {names}")
    raise UsageError(f"no run '{run}' in {reports}; list runs with 'assurance runs list'")
