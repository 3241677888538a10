"""Lenient readers for a finished run's files, shared by every tool that only reads runs.

Reports, comparisons, the pytest plugin and the risk register all read ``results.jsonl`` the
same way: a torn last line from a crash, or any other unreadable line, is skipped rather than
failing the whole report, and rows are keyed by ``case_id#sample`` (the key ``worst_cases``
uses). The runner's own strict reader is ``RunDir.read_results``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def row_key(row: dict[str, Any]) -> str:
    """``case_id#sample``, the key gates' ``worst_cases`` and the drill-downs use."""
    return f"{row.get('case_id')}#{row.get('sample', 0)}"


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield JSON objects from a JSONL file; blank and unreadable lines are skipped."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                yield value
