"""Read-only access to finished run directories, as the register needs them.

The format and the reader belong to the run log (``store.runlog``); this module keeps the names
the register's modules import. The register only reads runs; it depends on the file format, not
on the runner's code, so the evidence tools also work on run directories copied from CI.
"""

from __future__ import annotations

from pathlib import Path

from ..store.files import sha256_file
from ..store.runread import RunLog, read_run
from ..store.runread import resolve_run as _resolve_run

__all__ = ["HASHED_FILES", "MANIFEST_HASHED", "RunFiles", "resolve_run", "sha256_file"]

HASHED_FILES = ("results.jsonl", "summary.json", "manifest.json")
"""Run files whose SHA-256 each evidence record keeps and ``evidence verify`` re-checks."""

MANIFEST_HASHED = {
    "cases": "cases.jsonl",
    "responses": "responses.jsonl",
    "results": "results.jsonl",
    "summary": "summary.json",
}
"""The manifest's entries that record a run file and its SHA-256 (``{path, sha256}``), and the
file each names as the runner writes it: what ``evidence verify`` and the annex's manifest of
hashes check those files against."""


class RunFiles(RunLog):
    """A finished run with its manifest (the evidence tools need the manifest's hashes)."""

    @classmethod
    def load(cls, run_dir: Path) -> RunFiles:
        run = read_run(Path(run_dir), require_manifest=True)
        return cls(
            dir=run.dir,
            summary=run.summary,
            manifest=run.manifest,
            run_info=run.run_info,
            summary_sha256=run.summary_sha256,
        )


def resolve_run(reports: Path, run: str) -> Path:
    """A run id (or unique prefix) under ``reports``, or a path to a run directory
    (``store.runlog.resolve_run``, with the register's argument order)."""
    return _resolve_run(run, reports)
