"""What a recorded metric measures, as two runs' figures of one metric id are told alike or
not: ``compare`` warns of a redefinition, ``trend`` does not draw one beside the other."""

from __future__ import annotations

import json
from typing import Any

SAME_MEASURE_KEYS = frozenset({"by", "confidence"})
"""Spec keys that change a metric's groups or interval, not the figure compared."""


def measure(metric: dict[str, Any]) -> dict[str, Any]:
    """A recorded metric's spec (summary.json's ``metrics.<id>.spec``) less
    ``SAME_MEASURE_KEYS``: equal for two runs whose figures of it measure one thing."""
    spec = metric.get("spec")
    return {
        k: v
        for k, v in (spec if isinstance(spec, dict) else {}).items()
        if k not in SAME_MEASURE_KEYS
    }


def shown(measured: dict[str, Any]) -> str:
    """A ``measure`` as the one line a warning or note quotes."""
    return json.dumps(measured, ensure_ascii=False, default=str)
