"""How many of a run's answers came from the response cache (its manifest's ``cache``), and
whether that is so many that the run repeats an earlier measurement instead of making a new
one: one rule for the register's status, comparisons and trends."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_CACHED_SHARE = 0.5
"""A run whose answers came mostly (more than this share) from the response cache repeats an
earlier measurement instead of making a new one: stale as evidence, no verdict as a candidate."""


def _count(value: Any) -> int:
    """A recorded count, or 0 where the entry holds none (absent, or not a count)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


@dataclass(frozen=True)
class CacheShare:
    """``cached`` of ``requests`` answers came from the cache, measured by ``from_runs``."""

    cached: int = 0
    requests: int = 0
    from_runs: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, cache: Any) -> CacheShare:
        """From a manifest's (or an evidence record's) ``cache`` entry; none for a run made
        before it was recorded, or an entry that is not one."""
        if not isinstance(cache, Mapping):
            return cls()
        runs = cache.get("from_runs")
        return cls(
            cached=_count(cache.get("cached")),
            requests=_count(cache.get("requests")),
            from_runs=(
                {str(k): _count(v) for k, v in runs.items()} if isinstance(runs, Mapping) else {}
            ),
        )

    @property
    def mostly(self) -> bool:
        """Whether the run repeats an earlier measurement (``MAX_CACHED_SHARE``)."""
        return bool(self.requests) and self.cached / self.requests > MAX_CACHED_SHARE

    @property
    def sources(self) -> str:
        """The runs that measured the cached answers, as words."""
        return ", ".join(sorted(self.from_runs)) or "unknown runs"

    def text(self, run_id: str) -> str:
        """``N of M answers in run ID came from the response cache (measured by ...)``."""
        return (
            f"{self.cached} of {self.requests} answers in run {run_id} came from the response "
            f"cache (measured by {self.sources})"
        )
