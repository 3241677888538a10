"""A metric's value is at the confidence level its suite asks, or it has no figure.

Kinds compute their intervals at ``ctx.confidence``; a plugin's kind that ignores it writes
``MetricValue``'s default (0.95), and a suite asking 0.999 then recorded a 95% interval and
gated its 95% bound: a weaker gate than configured, and nothing said so. The engine (from
rows and from a streamed run's columns) checks every value here, with its groups, and
refuses one whose level differs: no data, with a reason naming the kind and the fix, rather
than a gate on the wrong level. Every built-in kind honours the level
(tests/metrics/test_kind_honours_level.py), so this only ever refuses a plugin's value.
"""

from __future__ import annotations

import math
from typing import Any

from ..formatting.figures import level
from .base import MetricValue


def at_asked_level(kind: str, value: MetricValue, asked: float) -> MetricValue:
    """``value`` where it and each of its groups are at the ``asked`` level; else a value
    without a figure, at the level asked, whose ``no_data_reason`` says what was refused."""
    found = _wrong_level(value, asked)
    if found is None:
        return value
    reason = (
        f"metric kind '{kind}' computed its interval at {_shown(found)}, not at the"
        f" {level(asked)} this metric asks (confidence: {asked:g}): refused rather than"
        f" gated at the wrong level; the kind must compute its interval at ctx.confidence"
    )
    details = {"reason": reason, "no_data_reason": reason, "kind_confidence": found}
    return MetricValue(None, 0, confidence=asked, details=details)


def _wrong_level(value: MetricValue, asked: float) -> Any:
    """The first level found on the value or its groups (nested: a disparity's strata) that is
    not ``asked``; None where all are. A value without an interval claims no level (the
    built-in kinds' no-data values leave ``MetricValue``'s default): refused, its own reason
    (the case a kind could not count, no stratum with a figure) gave way to this one."""
    claims = value.ci_low is not None or value.ci_high is not None
    if claims and not _same(value.confidence, asked):
        return value.confidence
    for group in (value.groups or {}).values():
        found = _wrong_level(group, asked)
        if found is not None:
            return found
    return None


def _same(confidence: Any, asked: float) -> bool:
    """Whether a kind's recorded level is the one asked (a number equal to it: a kind that
    wrote None or text has no level either)."""
    return (
        isinstance(confidence, int | float)
        and not isinstance(confidence, bool)
        and math.isclose(confidence, asked, rel_tol=0, abs_tol=1e-12)
    )


def _shown(confidence: Any) -> str:
    """A kind's level in the reason: as a percentage where it is a number."""
    if isinstance(confidence, int | float) and not isinstance(confidence, bool):
        return level(float(confidence))
    return f"no level ({confidence!r})"
