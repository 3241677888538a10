"""What a scorer is, as a run configured it: the description the run recorded
(``Scorer.describe``: name, version, params, and what a scorer adds of its own, such as its
exemplars' hash, its judge's identity, its lexicon's or analyser's version, its weights), less
what counts or places that run's own work, and where a scorer records the content of files it
read, the paths it read them from.

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


LOCATED_BY: dict[str, tuple[str, ...]] = {
    "weights_sha256": ("weights", "params.checkpoint"),
    "config_sha256": ("params.config_dir",),
    "model_sha256": ("params.model_dir",),
    "exemplars_sha256": ("params.exemplars",),
}
"""A content hash a scorer records of files it read (top-level key of its description) -> the
settings (dotted paths from the top) that say only where those files lay. Where the hash is
recorded, it is the identity and those paths are left out: the same checkpoint at another path
(a CI runner's, a laptop's) is the scorer set alike, another file copied over the same path is
not. Where it is not (a run of an older version, Detoxify's release weights named by their
URL), the paths stay, as before; compared leaf by leaf, a hash or a path only one run records is
no change (``compare.scorersettings.setting_paths``)."""


def configured(info: Mapping[str, Any]) -> dict[str, Any]:
    """A scorer's recorded description less :data:`RUN_KEYS`, at any depth, and less the paths
    whose content it records a hash of (:data:`LOCATED_BY`)."""
    located = {
        path
        for key, paths in LOCATED_BY.items()
        if isinstance(info.get(key), str)
        for path in paths
    }
    return _configured(info, located, "")


def _configured(info: Mapping[str, Any], located: set[str], prefix: str) -> dict[str, Any]:
    return {
        key: _configured(value, located, f"{prefix}{key}.") if isinstance(value, Mapping) else value
        for key, value in info.items()
        if key not in RUN_KEYS and f"{prefix}{key}" not in located
    }
