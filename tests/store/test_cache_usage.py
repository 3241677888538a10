"""A target's ``usage`` is kept in the response cache as JSON. A local model's callable may
count tokens in numpy integers (``np.int64``), which ``json.dumps`` refuses: the cache's flush
raised TypeError and the run crashed with a traceback (exit 1) after every request was sent."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assurance_harness.datatypes import GenerationResponse
from assurance_harness.store.cache import ResponseCache


def test_usage_with_numpy_numbers_or_other_values_is_cached(tmp_path: Path) -> None:
    usage = {
        "prompt_tokens": np.int64(5),
        "score": np.float32(0.5),
        "per_turn": np.array([1, 2]),
        "tags": {"x"},
    }
    with ResponseCache(tmp_path / "cache.sqlite") as cache:
        cache.put("k", GenerationResponse(text="a b", usage=usage))
        cache.flush()
        hit = cache.get("k")
    assert hit is not None and hit.text == "a b"
    assert hit.usage == {"prompt_tokens": 5, "score": 0.5, "per_turn": [1, 2], "tags": "{'x'}"}
