"""Hand edits of a finished run's summary.json, for tests that a reader does not show them as
the run's own figures. Each edit keeps the runner's serialisation (two-space indent, a final
newline), so only the content differs from what the run wrote."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _flip_verdict(summary: dict[str, Any]) -> None:
    gate = summary["gates"][0]
    gate["verdict"] = "pass" if gate["verdict"] == "fail" else "fail"
    summary["status"] = "passed" if gate["verdict"] == "pass" else "gates_failed"


def _metric_value(summary: dict[str, Any]) -> None:
    metric = next(iter(summary["metrics"].values()))
    metric["value"] = 0.123 if metric["value"] != 0.123 else 0.456


def _count(summary: dict[str, Any]) -> None:
    summary["counts"]["requests"] += 100


def _status(summary: dict[str, Any]) -> None:
    summary["status"] = "gates_failed" if summary["status"] == "passed" else "passed"


SUMMARY_EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "verdict": _flip_verdict,
    "metric value": _metric_value,
    "count": _count,
    "status": _status,
}
"""A gate's verdict (with the status that follows it), a metric's value, a count, the status."""


def edit_summary(run_dir: Path, how: str) -> Path:
    """Apply ``SUMMARY_EDITS[how]`` to ``run_dir``'s summary.json; its path."""
    path = run_dir / "summary.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    SUMMARY_EDITS[how](data)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path
