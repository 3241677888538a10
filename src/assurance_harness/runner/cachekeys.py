"""The response cache key of each request a run sends: one rule for the local and the Ray
executor, so that both read and write the same entries."""

from __future__ import annotations

import functools
from collections.abc import Callable

from ..datatypes import GenerationRequest
from ..store.cache import key_for
from ..targets.base import Target


def cache_keys(target: Target) -> Callable[[GenerationRequest], str]:
    """The cache key of a request to ``target`` (started: a callable's function is loaded to
    see what it reads), under its ``cache_fingerprint`` and with the case's metadata and id
    where the target may read them (``reads_metadata``, ``reads_case_id``). All are read once
    here, not per request: the fingerprint hashes the target's whole configuration."""
    return functools.partial(
        key_for,
        target.cache_fingerprint(),
        metadata=target.reads_metadata,
        case_id=target.reads_case_id,
    )
