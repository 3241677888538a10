"""When to try a failed request again, and how long to wait first.

Exponential backoff with full jitter (a uniform draw between zero and the exponential cap), so
that many workers hit by the same outage do not retry in lock-step. A server's Retry-After is a
floor on the wait, capped by ``max_delay_s`` so one bad header cannot stall a run for hours.
"""

from __future__ import annotations

import random

from ..targets.base import RetryPolicy, TargetError


def should_retry(error: TargetError, *, attempt: int, policy: RetryPolicy) -> bool:
    """True when ``error`` is transient and attempts remain (``attempt`` counts from 1)."""
    return error.retryable and attempt < policy.max_attempts


def backoff_delay(
    policy: RetryPolicy,
    attempt: int,
    *,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to sleep after failed attempt number ``attempt`` (1-based)."""
    draw = (rng or random).random()
    ceiling = min(policy.max_delay_s, policy.base_delay_s * (2 ** (attempt - 1)))
    delay = draw * ceiling
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, policy.max_delay_s)
