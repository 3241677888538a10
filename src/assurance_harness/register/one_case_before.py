"""The interval runs made before 2026-12-08 published for a figure over one case of several
samples (or one source's variants), which now has none (``stats.intervals.one_cluster_reason``).

Those runs gave Clopper-Pearson over the cluster's outcomes as if independent (a mean of values
in [0, 1] other than 0/1: the score interval), labelled approximate. ``register.summary_check``
compares a recorded interval only where its method is the one this version computes; without
this, such a summary's interval would go unchecked, and an edit to it (a bound moved under a
gate's limit) would attach. The earlier method is known and rests on the figure's value and
``n`` alone, so the interval is derived again here and compared as that runner published it.
"""

from __future__ import annotations

from typing import Any

from ..stats.intervals import clopper_pearson, one_cluster_reason, wilson_mean

_CP = "clopper-pearson (approximate: every outcome from one of the {unit})"
_WILSON = "wilson (values in [0, 1], conservative; approximate: every value from one case)"
_UNITS = ("cases", "sources")


def as_published_before(recorded: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """``fresh`` (a figure as ``MetricValue.to_dict`` gives it, or one of its groups) with the
    interval and method runs made before 2026-12-08 published, where ``recorded`` states that
    earlier method and ``fresh`` has no interval for one cluster; ``fresh`` unchanged else."""
    method, value, n = recorded.get("method"), fresh.get("value"), fresh.get("n")
    if not isinstance(method, str) or not isinstance(value, (int, float)):
        return fresh
    if not isinstance(n, int) or isinstance(n, bool) or n < 2:
        return fresh
    confidence = float(fresh.get("confidence") or 0.95)
    for unit in _UNITS:
        if fresh.get("method") != one_cluster_reason(n, unit):
            continue
        if method == _CP.format(unit=unit):
            low, high = clopper_pearson(round(value * n), n, confidence)
        elif method == _WILSON and unit == "cases":
            low, high = wilson_mean(float(value), n, confidence)
        else:
            return fresh
        return {**fresh, "ci_low": low, "ci_high": high, "method": method}
    return fresh
