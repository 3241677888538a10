"""Read a finished run directory into one object that every report uses.

The reader is the run log's (``store.runlog.read_run``); ``RunData`` and ``load_run`` are the
names the report modules import. Reports and comparisons only read runs; they never write into
summary, manifest or results.
"""

from __future__ import annotations

from pathlib import Path

from ..store.runread import RunLog, read_run

__all__ = ["RunData", "load_run"]

RunData = RunLog
"""A finished run (``store.runlog.RunLog``)."""


def load_run(run_dir: Path | str) -> RunData:
    """Load a run directory; a directory without summary.json is a usage error, not a crash."""
    return read_run(run_dir)
