"""Where a figure stands against a gate's limit: the one rule every gate decision and every
figure shown beside a limit use.

A figure is computed in floating point, so it differs from its exact value by rounding: a mean
of 0.1 and 0.2 is 0.15 exactly but 0.15000000000000002 as computed, and ``1 - 0.7`` is
0.30000000000000004. Compared strictly, ``max: 0.15`` failed on the first, a verdict the exact
arithmetic does not give, shown as "0.150 > 0.150". A figure within ``REL_TOL`` of the limit
(relative to the larger of the two; ``ABS_TOL`` near zero, where a relative tolerance is none)
stands *on* it, and a limit is inclusive: it meets a ``min`` and a ``max`` alike. Rounding noise
is of the order of 1e-16 relative; a real excess of a published figure is many orders above
1e-9, and a ``max: 0`` still fails on any figure above 1e-12 (no rate or share of fewer than a
trillion rows is that small).

Summaries written before this rule (2026-12-07) judged strictly (``exact=True``); the evidence
check accepts a verdict that rule gives (``register.summary_check``).
"""

from __future__ import annotations

import math

__all__ = ["ABS_TOL", "REL_TOL", "meets", "side"]

REL_TOL = 1e-9
"""A figure this close to a limit, relative to the larger, stands on it."""
ABS_TOL = 1e-12
"""A figure this close to a limit of (or near) zero stands on it."""


def side(figure: float, limit: float, *, exact: bool = False) -> int:
    """-1, 0 or 1: the figure below, on or above the limit; on it within rounding noise
    (``exact``: only when equal, the rule of summaries written before 2026-12-07)."""
    if not exact and math.isclose(figure, limit, rel_tol=REL_TOL, abs_tol=ABS_TOL):
        return 0
    return (figure > limit) - (figure < limit)


def meets(figure: float, *, min: float | None, max: float | None, exact: bool = False) -> bool:
    """Whether a finite figure meets a gate's limits, each inclusive (``side``'s rule)."""
    if max is not None and side(figure, max, exact=exact) > 0:
        return False
    return not (min is not None and side(figure, min, exact=exact) < 0)
