"""What a scorer is, as a run configured it: the description the run recorded
(``Scorer.describe``: name, version, params, and what a scorer adds of its own, such as its
exemplars' hash, its judge's identity, its lexicon's or analyser's version, its weights), less
what counts or places that run's own work.

One home for "the same scorer, set alike": ``compare`` and ``trend`` test a metric only over
scorers set alike in both runs (``compare.scorersettings``), and human verdicts vouch only for
the configuration they were given on (``scorers.reviewed``). Two rules for it would let a
change one of them sees pass the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..store.scorercache import CACHE_FILE

RUN_KEYS = frozenset({"batch_size", "cache_hits", CACHE_FILE})
"""Keys of a scorer's recorded description that count or place the run's own work (its batches,
a judge's cache hits and cache file), at any depth: they differ between two runs of one scorer
set alike."""


def configured(info: Mapping[str, Any]) -> dict[str, Any]:
    """A scorer's recorded description less :data:`RUN_KEYS`, at any depth."""
    return {
        key: configured(value) if isinstance(value, Mapping) else value
        for key, value in info.items()
        if key not in RUN_KEYS
    }
