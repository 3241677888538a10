"""A text as a reader reads it, and where each character read comes from: what
:mod:`assurance_harness.scrub` searches for a key that an echo hides from a search of the text
as written (HTML character references, characters a reader does not see), so that what it finds
there is redacted in the text itself."""

from __future__ import annotations

import bisect
import functools
import html
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote


class Origin:
    """Where the characters of a text read (:func:`read_references`, :func:`read_hidden`) come
    from in the text: for each piece read, where its characters start in the text read, where
    it starts and ends in the text, and how many characters it was read as (none, for a code
    point HTML reads as nothing or a character no reader sees). Kept per piece, not per
    character: a character is looked up (``bisect``) only at the edges of what is redacted."""

    def __init__(self) -> None:
        self.read_at: list[int] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.lengths: list[int] = []

    def start(self, index: int) -> int:
        """The text's index where the text read's character at ``index`` (or its piece)
        starts."""
        at = bisect.bisect_right(self.read_at, index) - 1
        if at < 0:
            return index
        inside = index - self.read_at[at]
        if inside < self.lengths[at]:
            return self.starts[at]
        return self.ends[at] + inside - self.lengths[at]  # a character after the piece

    def end(self, index: int) -> int:
        """The text's index just past the text read's character at ``index`` (or its
        piece)."""
        at = bisect.bisect_right(self.read_at, index) - 1
        if at >= 0 and index - self.read_at[at] < self.lengths[at]:
            return self.ends[at]
        return self.start(index) + 1


def _read(
    text: str, pattern: re.Pattern[str], reading: Callable[[re.Match[str]], str | None]
) -> tuple[str, Origin]:
    """``text`` with each match of ``pattern`` read as ``reading`` reads it (None: as it is),
    and where each of its characters comes from (:class:`Origin`)."""
    pieces: list[str] = []
    origin = Origin()
    done = at = 0
    for match in pattern.finditer(text):
        read = reading(match)
        if read is None:
            continue
        start, end = match.span()
        at += start - done
        origin.read_at.append(at)
        origin.starts.append(start)
        origin.ends.append(end)
        origin.lengths.append(len(read))
        pieces += (text[done:start], read)
        at += len(read)
        done = end
    pieces.append(text[done:])
    return "".join(pieces), origin


REFERENCE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
"""What :func:`html.unescape` reads as a character reference (its own pattern): decimal or
hexadecimal, in either case, with leading zeros or none, a semicolon or none, or named
(``&amp;``, and those HTML5 reads without their semicolon, ``&amp``)."""


@functools.lru_cache(maxsize=1024)
def read_reference(reference: str) -> str:
    """A character reference (without its ``&``) as :func:`html.unescape` reads it."""
    return html.unescape("&" + reference)


def _reference(match: re.Match[str]) -> str | None:
    char = read_reference(match.group(1))
    return None if char == match.group() else char  # no reference: "&D" in "R&D"


def read_references(text: str) -> tuple[str, Origin]:
    """``text`` with its references read as :func:`html.unescape` reads them, and where each of
    its characters comes from: a secret found in the text read is redacted with the references
    that spell it."""
    return _read(text, REFERENCE, _reference)


INVISIBLE = "\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
"""Characters no reader sees, which a page or a model may put between a key's characters: the
soft hyphen and zero-width space (where a long word may break), zero-width (non-)joiners, the
word joiner, the byte order mark, direction marks. Read as nothing."""

_TAG = r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]{0,256})?\s*/?>"
"""An HTML tag, opening or closing, its attributes a few hundred characters at most."""
_TAG_PATTERN = re.compile(_TAG)
_HIDDEN = re.compile(f"(?P<invisible>[{INVISIBLE}]+)|(?P<tag>{_TAG})")
_HIDDEN_OR_COMPATIBLE = re.compile(_HIDDEN.pattern + r"|(?P<compatible>[^\x00-\x7f])")
""":data:`_HIDDEN`, and any other character beyond ASCII: read in its NFKC form, where a text
is not in NFKC (:func:`compatible`)."""


def _hidden(match: re.Match[str]) -> str | None:
    """What a reader sees of one of :data:`_HIDDEN_OR_COMPATIBLE`'s matches: nothing of an
    invisible character; a space for a tag (a reader sees the text on either side of ``<br>``
    or ``<wbr>``, one piece after the other, as :func:`~assurance_harness.scrub.scrub` sees the
    lines of a wrapped key, and a token holding a key's prefix ends at a tag, not in the next
    cell of a table); the NFKC form of a character that has another (:func:`_compatible`)."""
    if match.lastgroup == "invisible":
        return ""
    if match.lastgroup == "tag":
        return " "
    return _compatible(match.group())


@functools.lru_cache(maxsize=4096)
def _compatible(char: str) -> str | None:
    """The NFKC form of ``char`` where it has another (``ｓ`` and ``𝐬`` are ``s``, ``①`` is
    ``1``), else None."""
    form = unicodedata.normalize("NFKC", char)
    return None if form == char else form


def compatible(text: str) -> bool:
    """Whether ``text`` has characters with another NFKC form (full-width, mathematical or
    circled letters: a key a model wrote styled, or as CJK text sets Latin letters). A text
    of ASCII alone has none, and Python checks the rest at C speed."""
    return not text.isascii() and not unicodedata.is_normalized("NFKC", text)


def hides(text: str) -> bool:
    """Whether ``text`` holds something :func:`read_hidden` reads otherwise. A text of ASCII
    alone holds no invisible character nor compatibility form (``isascii`` is looked up, not
    computed), and one without ``<`` no tag; each invisible character is looked for on its
    own, at C speed (a class of them in a pattern is tried at every character)."""
    if "<" in text and _TAG_PATTERN.search(text):
        return True
    if text.isascii():
        return False
    return any(char in text for char in INVISIBLE) or compatible(text)


_LOOSE_TAG = re.compile(r"<[^<>]{1,256}>")
"""A tag, or more, in a text casefolded and without its whitespace (``<spanclass="k">``)."""


def unhidden(squeezed: str, fold: Callable[[str], str]) -> str:
    """``squeezed`` (a text folded by ``fold``, without its whitespace) without what
    :func:`read_hidden` reads as nothing or as whitespace, its percent-encoded bytes decoded
    (:func:`read_percent`), in NFKC and folded again, at C speed
    (no origin kept): what the text read holds, and perhaps less (``<`` and ``>`` around a key
    as written, which a search of the text finds anyway). A text whose reading holds no key
    costs a few searches, not a reading. ``squeezed`` itself, the very object, where it holds
    none of those (``re.sub`` and ``str.replace`` return their text where they change
    nothing)."""
    if "<" in squeezed:
        squeezed = _LOOSE_TAG.sub("", squeezed)
    if percent_encoded(squeezed):
        for _ in range(_PERCENT_DEEP):
            squeezed = fold(unquote(squeezed))  # "%41" is "A"
    if not squeezed.isascii():
        for char in INVISIBLE:
            if char in squeezed:
                squeezed = squeezed.replace(char, "")
        if compatible(squeezed):
            squeezed = fold(unicodedata.normalize("NFKC", squeezed))
    return squeezed


@functools.lru_cache(maxsize=64)
def unchanged_by_reading(secret: str) -> bool:
    """Whether :func:`unhidden` leaves each of ``secret``'s characters as it is: none is
    invisible, ``<``, ``>`` or ``%`` (a percent-encoded spelling, decoded there), or has
    another NFKC form."""
    return not (
        "<" in secret
        or ">" in secret
        or "%" in secret
        or any(char in secret for char in INVISIBLE)
        or compatible(secret)
    )


def read_hidden(text: str) -> tuple[str, Origin]:
    """``text`` as a reader sees it, where an echo hid a key's characters apart (each of
    :data:`INVISIBLE` read as nothing, an HTML tag as a space) or wrote them in compatibility
    forms (each read in its NFKC form, where the text has any), and where each of its
    characters comes from."""
    return _read(text, _HIDDEN_OR_COMPATIBLE if compatible(text) else _HIDDEN, _hidden)


_PERCENT = re.compile(r"(?P<ascii>%[0-7][0-9A-Fa-f])|(?:%[89A-Fa-f][0-9A-Fa-f])+")
"""A percent-encoded ASCII byte, or the bytes of other characters (UTF-8), one piece."""
_PERCENT_DEEP = 2
"""A text percent-encoded this many times over (``%2573`` for ``s``) is read as many times."""


def _percent(match: re.Match[str]) -> str:
    if match.lastgroup == "ascii":
        return chr(int(match.group()[1:], 16))
    return unquote(match.group())  # UTF-8, a byte of none as U+FFFD


_ENCODED_ALNUM = re.compile(r"%(?:25)?(?:3[0-9]|[46][1-9a-f]|[57][0-9a])", re.IGNORECASE)
"""A letter or a digit percent-encoded (once or twice): what only an encoder escaping every
byte writes (a URL's encoder leaves them as they are), and what a key encoded so is made of."""


def percent_encoded(text: str) -> bool:
    """Whether ``text`` holds a letter or a digit percent-encoded (:data:`_ENCODED_ALNUM`),
    as a key with every byte encoded does: a text of URLs (``%20``, ``%2F``, ``%C3%A9``) is
    not read (:func:`read_percent`), nor decoded to be probed (:func:`unhidden`)."""
    return "%" in text and _ENCODED_ALNUM.search(text) is not None


def read_percent(text: str) -> tuple[str, list[Origin]]:
    """``text`` with its percent-encoded bytes decoded, as an encoder that escapes every byte
    (letters and digits too) hid a key, and where each of its characters comes from: read once,
    and again where that leaves percent-encoded bytes (a text encoded twice, ``%2573``)."""
    origins = []
    for _ in range(_PERCENT_DEEP):
        text, origin = _read(text, _PERCENT, _percent)
        origins.append(origin)
        if "%" not in text or not _PERCENT.search(text):
            break
    return text, origins
