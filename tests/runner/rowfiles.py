"""A run's result rows as two runs of the same suite should agree on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def comparable_rows(run_dir: Path) -> list[dict[str, Any]]:
    """``results.jsonl`` without ``latency_s``: each request's own wall time, the one field
    two runs of the same requests differ in."""
    with (run_dir / "results.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    for row in rows:
        row.pop("latency_s")
    return rows
