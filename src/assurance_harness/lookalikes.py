"""Letters that print alike: Latin ones and the Cyrillic, Greek and other code points drawn the
same, the one table for writing them and for telling them apart.

The robustness operator ``homoglyph`` writes them into prompts (:data:`HOMOGLYPHS`: one stand-in
a letter, unchanged since the operator was written, so a seeded expansion stays what it was).
A reviewer's name is compared with the names a review store already knows through
:func:`prints_like`: 'аlice' with a Cyrillic 'а' printed as 'alice' in the ledger, the queue and
the agreement figures, yet was another reviewer, needing none of alice's token, and one person's
two verdicts counted as two people's.

The table is the part of Unicode's confusables (UTS #39) that matters for names typed on Latin
keyboards and copied from elsewhere: the Cyrillic and Greek capitals and small letters drawn as
Latin ones, the digits 0 and 1 for o and l, and capital I for small l. Compatibility forms
(fullwidth letters, ligatures, mathematical alphabets) are folded by NFKC first.
"""

from __future__ import annotations

import unicodedata

HOMOGLYPHS: dict[str, str] = {
    "a": "\u0430",
    "c": "\u0441",
    "e": "\u0435",
    "o": "\u043e",
    "p": "\u0440",
    "x": "\u0445",
    "y": "\u0443",
    "i": "\u0456",
    "j": "\u0458",
    "s": "\u0455",
    "A": "\u0410",
    "B": "\u0412",
    "C": "\u0421",
    "E": "\u0415",
    "H": "\u041d",
    "K": "\u041a",
    "M": "\u041c",
    "O": "\u041e",
    "P": "\u0420",
    "T": "\u0422",
    "X": "\u0425",
    "Y": "\u03a5",
    "I": "\u0406",
    "N": "\u039d",
}
"""Latin letter -> the one visually identical code point (Cyrillic or Greek) the ``homoglyph``
operator writes for it."""

_MORE_STAND_INS: dict[str, str] = {
    "a": "\u03b1",  # Greek alpha
    "d": "\u0501",  # Cyrillic komi de
    "h": "\u04bb",  # Cyrillic shha
    "l": "\u04cf\u0031\u0049\u007c",  # Cyrillic palochka, digit one, capital I, vertical bar
    "o": "\u03bf\u0030",  # Greek omicron, digit zero
    "p": "\u03c1",  # Greek rho
    "q": "\u051b",  # Cyrillic qa
    "v": "\u03bd",  # Greek nu
    "w": "\u051d",  # Cyrillic we
    "A": "\u0391",
    "B": "\u0392",
    "E": "\u0395",
    "H": "\u0397",
    "I": "\u0399",
    "J": "\u0408",
    "K": "\u039a",
    "M": "\u039c",
    "O": "\u039f",
    "P": "\u03a1",
    "S": "\u0405",
    "T": "\u03a4",
    "X": "\u03a7",
    "Y": "\u04ae",
    "Z": "\u0396",
}
"""Further stand-ins, written by no operator: looked for only."""

_LATIN_OF: dict[int, str] = {
    ord(stand_in): latin
    for table in (HOMOGLYPHS, _MORE_STAND_INS)
    for latin, stand_ins in table.items()
    for stand_in in stand_ins
}
_ALL_CASES: dict[int, str] = {k: v for k, v in _LATIN_OF.items() if k != ord("I")}
"""The same without capital I for l, for the comparison that ignores case (there I is i)."""


def prints_like(first: str, second: str) -> bool:
    """Whether two texts print alike: the same once compatibility forms are folded (NFKC) and
    each look-alike is read as its Latin letter, or the same but for case (then I is i, not l:
    'Ian' and 'ian', and 'Ian' and 'lan', print alike; 'ian' and 'lan' do not)."""
    one, two = unicodedata.normalize("NFKC", first), unicodedata.normalize("NFKC", second)
    if _as_latin(one, _LATIN_OF) == _as_latin(two, _LATIN_OF):
        return True
    return _as_latin(one, _ALL_CASES).casefold() == _as_latin(two, _ALL_CASES).casefold()


def _as_latin(text: str, table: dict[int, str]) -> str:
    """``text`` with each look-alike as its Latin letter; twice, for a stand-in of a stand-in
    (Cyrillic 'І' is 'I', which is 'l')."""
    return text.translate(table).translate(table)


def first_difference(first: str, second: str) -> str:
    """Where ``first`` differs from ``second``, for a message: "U+0430 (CYRILLIC SMALL LETTER A)
    at position 1", or "" where their lengths differ (the letters do not line up)."""
    if len(first) != len(second):
        return ""
    for position, (mine, theirs) in enumerate(zip(first, second, strict=True), start=1):
        if mine != theirs:
            name = unicodedata.name(mine, "")
            named = f" ({name})" if name else ""
            return f"U+{ord(mine):04X}{named} at position {position}"
    return ""
