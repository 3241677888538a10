"""Hand edits of a finished run's summary.json, for tests that a reader does not show them as
the run's own figures. Each edit keeps the runner's serialisation (two-space indent, a final
newline), so only the content differs from what the run wrote."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assurance_harness.store.runlog import Manifest, RunLogWriter


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


def reseal_summary(run_dir: Path) -> None:
    """Record summary.json's SHA-256 in manifest.json again, as the runner would have: for a
    test that writes a summary a run could have written (a plugin's odd figure, a metric kind
    not installed here), not a hand edit of one (which readers name: ``RunLog.summary_changed``)."""
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    digest = hashlib.sha256((run_dir / "summary.json").read_bytes()).hexdigest()
    manifest["summary"] = {"path": "summary.json", "sha256": digest}
    RunLogWriter(run_dir).write_manifest(Manifest.model_validate(manifest))
