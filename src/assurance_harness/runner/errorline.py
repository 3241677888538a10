"""The line that says why a run's requests failed: each kind of error and the first message;
and the line that says how many answers were scored though the endpoint did not complete them.

One home for them: ``assurance run`` prints them under its summary, and the pytest plugin adds
the first to the failure of each item of a failed run, so a CI log names the wrong URL or the
server down without anyone opening results.jsonl.
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


INCOMPLETE = {
    "length": "cut off at max_tokens: raise max_tokens under generation",
    "max_tokens": "cut off at max_tokens: raise max_tokens under generation",
    "content_filter": "cut by the deployment's content filter",
}
"""Finish reasons of an answer its endpoint did not complete, and what each means."""


def incomplete_line(counts: Mapping[str, Any]) -> str | None:
    """``not complete: 3 of 6 answers ... length 2 (...)`` from a run's summary ``counts``; None
    when every answer was complete (or its endpoint reports no finish reason). A cut-off
    answer is still the system's answer and is scored as it came, but a rate over half-answers
    is not one over answers: said where the verdicts are read, not only in responses.jsonl."""
    reasons = counts.get("finish_reasons") or {}
    found = [(reason, n) for reason, n in reasons.items() if reason in INCOMPLETE and n]
    if not found:
        return None
    found.sort(key=lambda kv: -kv[1])
    total = sum(n for _, n in found)
    kinds = ", ".join(f"{reason} {n} ({INCOMPLETE[reason]})" for reason, n in found)
    return (
        f"not complete: {total} of {counts.get('responses', total)} answers were scored as they "
        f"came though the endpoint did not complete them: {kinds}"
    )


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
