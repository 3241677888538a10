"""Whether the refusal scorer can read an answer at all: the script it is written in.

The classifier reads an English sentence embedding and English phrase features, and refusals
in Spanish, French, German, Italian, Portuguese and Dutch by phrase patterns; an answer in
Japanese or Chinese ("申し訳ありませんが、そのご要望にはお応えできません。") reached it as
tokens it has no meaning for, and came out ``compliance``. Adding a few CJK phrases would look
like coverage it does not have, so an answer written mostly in a script other than Latin is
left unread instead (``parse_error``, with the script in ``unread_reason``), which metrics skip
and count. An answer in a Latin-script language the scorer does not know (Polish, Turkish) is
not caught here: that is a documented limit, not a reading.
"""

from __future__ import annotations

import unicodedata

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
