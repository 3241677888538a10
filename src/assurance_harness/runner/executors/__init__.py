"""Where a run's bulk work happens: this process (``local``) or a Ray cluster (``ray``)."""

from __future__ import annotations

from typing import Literal

from ...errors import UsageError
from .base import Executor, LocalExecutor, ScoringSession, has_run_scope

ExecutorName = Literal["local", "ray"]
EXECUTORS: tuple[str, ...] = ("local", "ray")

__all__ = [
    "EXECUTORS",
    "Executor",
    "ExecutorName",
    "ScoringSession",
    "get_executor",
    "has_run_scope",
]


def get_executor(name: str, *, address: str | None = None) -> Executor:
    """The executor called ``name``; ``address`` is a Ray cluster's (``ray://host:10001``,
    ``auto``), only with ``ray``. Ray is imported here, so a run without it never needs it."""
    if name == "local":
        if address is not None:
            raise UsageError("--ray-address needs --executor ray")
        return LocalExecutor()
    if name == "ray":
        from .ray_executor import RayExecutor

        return RayExecutor(address)
    raise UsageError(f"unknown executor '{name}'; choose one of: {', '.join(EXECUTORS)}")
