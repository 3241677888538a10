"""The line that says why a run's requests failed: each kind of error and the first message.

One home for it: ``assurance run`` prints it under its summary, and the pytest plugin adds it to
the failure of each item of a failed run, so a CI log names the wrong URL or the server down
without anyone opening results.jsonl.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import HarnessError


def errors_line(counts: Mapping[str, Any], run_dir: Path) -> str | None:
    """``errors: connection_error 2; first: cannot connect to ...`` from a run's summary
    ``counts`` and its results, most frequent kind first; None when no request failed."""
    if not counts.get("errors"):
        return None
    by_type = sorted((counts.get("errors_by_type") or {}).items(), key=lambda kv: -kv[1])
    kinds = ", ".join(f"{kind} {n}" for kind, n in by_type)
    example = first_error(run_dir)
    return f"errors: {kinds}" + (f"; first: {example}" if example else "")


def first_error(run_dir: Path) -> str | None:
    """The message of the first failed request in a run's results (None when none is there, or
    the results cannot be read: the line then names the kinds alone)."""
    from ..store.runread import read_run

    try:
        for row in read_run(run_dir).iter_results():
            error = row.get("error")
            if error:
                return str(error.get("message") or error.get("type"))
    except HarnessError:
        return None
    return None
