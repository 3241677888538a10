"""Curated age-rating lexicons: terms per content category, in three severity tiers.

The terms themselves are data, ``assurance_harness/data/age/lexicon.yaml`` (shipped in the
package, reviewed like any dataset); this module reads them and compiles one pattern per
(category, tier). Tier 1 is mild (mentioned, educational), tier 2 moderate (described), tier 3
severe (graphic, explicit, or instructions that enable harm). A lexicon hit is evidence, not a
verdict: "kill a process" and "shoot a photo" hit the violence and weapons lists, so the
category classifier weighs hits together with the sentence embedding. Only profanity is decided
by words alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..data import load_yaml

LEXICON_FILE = "age/lexicon.yaml"


def _categories() -> dict[str, Any]:
    data = load_yaml(LEXICON_FILE)
    categories: dict[str, Any] = data["categories"]
    return categories


CATEGORIES: tuple[str, ...] = tuple(_categories())
"""Content categories, as they appear in the ``categories`` field."""

CATEGORY_TITLES: dict[str, str] = {name: str(c["title"]) for name, c in _categories().items()}

MIN_AGE: dict[str, tuple[int, int, int]] = {
    name: (int(c["min_age"][0]), int(c["min_age"][1]), int(c["min_age"][2]))
    for name, c in _categories().items()
}
"""The youngest age each severity suits (PEGI / BBFC descriptors; see the lexicon file)."""

SEVERITY_NAMES = {1: "mild", 2: "moderate", 3: "severe"}

_TERMS: dict[str, dict[int, list[str]]] = {
    name: {int(tier): [str(t) for t in terms] for tier, terms in c["terms"].items()}
    for name, c in _categories().items()
}


@lru_cache(maxsize=1)
def compiled() -> dict[str, dict[int, re.Pattern[str]]]:
    """One word-bounded, case-insensitive pattern per (category, tier)."""
    return {
        category: {
            tier: re.compile(r"(?<![\w-])(?:" + "|".join(terms) + r")(?![\w])", re.IGNORECASE)
            for tier, terms in tiers.items()
        }
        for category, tiers in _TERMS.items()
    }


def lexicon_hits(text: str) -> dict[str, tuple[int, list[str]]]:
    """Per category with a hit: the highest tier hit and the matched terms (up to five)."""
    hits: dict[str, tuple[int, list[str]]] = {}
    for category, tiers in compiled().items():
        for tier in (3, 2, 1):
            found = tiers[tier].findall(text)
            if found:
                hits[category] = (tier, sorted({f.lower() for f in found})[:5])
                break
    return hits
