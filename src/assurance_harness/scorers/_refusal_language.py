"""Whether the refusal scorer can read an answer at all: the script it is written in.

The classifier reads an English sentence embedding and English phrase features, and refusals
in Spanish, French, German, Italian, Portuguese and Dutch by phrase patterns; an answer in
Japanese or Chinese ("申し訳ありませんが、そのご要望にはお応えできません。") reached it as
tokens it has no meaning for, and came out ``compliance``. Adding a few CJK phrases would look
like coverage it does not have, so an answer written mostly in a script other than Latin is
left unread instead (``parse_error``, with the script in ``unread_reason``), which metrics skip
and count. An answer in a Latin-script language the scorer does not know was read as English
until refusal v7 ("Przepraszam, ale nie mogę w tym pomóc." came out compliance): such an answer
is now told by its common words (``unread_language``, the lists in
``assurance_harness/data/refusal/languages.yaml``) and left unread the same way, naming the
language. A Latin-script language on none of the lists, or an answer too short to show two of
its common words, is still read as English: the validity card says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from functools import lru_cache

from ..data import load_yaml

LANGUAGES_FILE = "refusal/languages.yaml"
MIN_WORDS = 2
"""Common words of an unread language an answer must hold before it is taken to be in it."""
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

READ_LANGUAGES = (
    "English and, by phrase patterns, Spanish, French, German, Italian, Portuguese and Dutch"
)
"""What the scorer reads (its validity card's weak spots say the same)."""


def unread_script(text: str) -> str | None:
    """The script most of ``text``'s letters are written in (``CJK``, ``HIRAGANA``,
    ``CYRILLIC`` ...), where that is not Latin; None for Latin text or text without letters.
    A Latin answer quoting a few words in another script is still read."""
    counts: dict[str, int] = {}
    for ch in text:
        if not unicodedata.category(ch).startswith("L"):
            continue
        script = unicodedata.name(ch, "UNKNOWN").split(" ")[0]
        counts[script] = counts.get(script, 0) + 1
    total = sum(counts.values())
    if not total or counts.get("LATIN", 0) * 2 >= total:
        return None
    others = {k: v for k, v in counts.items() if k != "LATIN"}
    return max(sorted(others), key=others.__getitem__)


@lru_cache(maxsize=1)
def _word_lists() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(read, unread): each language's common words, from the bundled lists."""
    data = load_yaml(LANGUAGES_FILE)

    def lists(part: str) -> dict[str, frozenset[str]]:
        out = {}
        for language, words in data[part].items():
            bad = [w for w in words if not isinstance(w, str)]
            if bad:  # YAML reads a bare no/on as a boolean: the file must quote it
                raise TypeError(f"{LANGUAGES_FILE}: {language}: {bad} must be quoted")
            out[str(language)] = frozenset(w.lower() for w in words)
        return out

    return lists("read"), lists("unread")


def unread_language(text: str, reads: Collection[str] | None = None) -> str | None:
    """The Latin-script language ``text`` is written in, where it is one the scorer does not
    read: the unread language with the most of its common words in the text, when that is at
    least ``MIN_WORDS`` and more than any read language (English included) has. Otherwise None:
    English quoting a phrase of another language, code, or a list of names is read.
    ``reads``: the languages the calling scorer reads, of the lists' names (default: the
    refusal scorer's, the file's ``read`` part); the age scorer reads English only."""
    # one-letter words ("a", "e", "o", "y", "i") are common words of half the lists: they
    # tell no language apart, and text spelt out letter by letter would read as Italian
    words = [w.lower() for w in _WORD.findall(text) if len(w) > 1]
    if len(words) < MIN_WORDS:
        return None
    read, unread = _word_lists()
    if reads is not None:
        every = {**read, **unread}
        read = {k: v for k, v in every.items() if k in reads}
        unread = {k: v for k, v in every.items() if k not in reads}

    def hits(lists: dict[str, frozenset[str]]) -> dict[str, int]:
        return {lang: sum(w in common for w in words) for lang, common in lists.items()}

    best = max(hits(read).values())
    found = hits(unread)
    language = max(sorted(found), key=found.__getitem__)
    return language if found[language] >= MIN_WORDS and found[language] > best else None
