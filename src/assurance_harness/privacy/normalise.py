"""The text as a person reads it, for the personal-data detector: NFKC (full-width ``＠`` and
digits, ligatures, other compatibility forms folded) with format characters (zero-width
spaces and joiners, word joiners, soft hyphens, byte-order marks, bidirectional marks: Unicode
category Cf) removed, HTML character references decoded (``&#64;``, ``&#x40;``,
``&commat;`` read ``@`` wherever the answer is shown as HTML, and a reader decodes them in
their head elsewhere) and emphasis markers removed (``07911 **123456**``, :data:`_EMPHASIS`),
and a map from its offsets back to the original's.

A model, or a prompt steering it, can put these inside an e-mail address or a phone number:
the answer reads the same, but the detector's patterns saw other characters and found nothing,
so the pii scorer said "no leak" and redaction stored the data. Spans are found on the folded
view and mapped back, so a span covers the whole original data, invisible characters inside it
included.

Text with nothing to fold (the usual case) is returned as it is, with the identity map: results
on it are exactly those of the detector on the text itself. Each character is folded on its own:
a letter and a combining accent after it ("e\u0301") are not composed into one ("é"), as NFKC of
the whole text would, since the detector's name patterns know "e" but not "é", so composing
would lose names it finds today.
NFKC can change a character's length ("ﬁ" -> "fi", "½" -> "1⁄2"), so the map is kept per piece:
runs the fold leaves alone map by an offset, each folded piece maps as a whole. Cost is linear
in the text's length; a run of characters with nothing to fold is copied in one step.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

_EMPHASIS = r"\*\*|__|~~|</?(?:b|i|u|s|em|strong|mark|code|span)>"
"""Markdown bold and strike-through markers and inline HTML emphasis tags: a chat window shows
"07911 **123456**" as "07911 123456", so they are removed (single ``*`` and ``_`` stay: they are
arithmetic and names as often as emphasis)."""
_TO_FOLD = re.compile(
    r"[^\x00-\x7f]+|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});|" + _EMPHASIS,
    re.IGNORECASE,
)
"""What may fold: runs of characters outside ASCII, HTML character references (with their
semicolon: without one, "&copy" in a URL's query would be read as a sign) and emphasis."""


_KEPT = ("<super>", "<sub>", "<fraction>")
"""Compatibility forms left as they are: folded, they join the digits beside them ("3½" ->
"31⁄2", "10⁵" -> "105"), which breaks a phone number after them and makes numbers of
arithmetic ("2¹⁰ = 1024") where there were none; they are no usual way to write personal data."""


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """``char`` as the detector should see it: NFKC, or nothing for a format character."""
    if unicodedata.category(char) == "Cf":
        return ""
    if unicodedata.decomposition(char).startswith(_KEPT):
        return char
    return unicodedata.normalize("NFKC", char)


@dataclass(frozen=True)
class Folded:
    """The folded text and, per piece, where it came from.

    ``_starts[i]`` is where piece ``i`` begins in the folded text; it came from
    ``original[_origins[i] : _ends[i]]``. A piece with ``_linear[i]`` maps character by
    character (its text was left as it was); any other is one folded cluster. ``_inner``: the
    fold this one was made from, where it is one of several in turn (``reading.read``), so
    ``original`` is that fold's text and offsets map on through it."""

    text: str
    original_length: int
    _starts: list[int] = field(default_factory=list)
    _origins: list[int] = field(default_factory=list)
    _ends: list[int] = field(default_factory=list)
    _linear: list[bool] = field(default_factory=list)
    _inner: Folded | None = None

    @property
    def changed(self) -> bool:
        return bool(self._starts) or (self._inner is not None and self._inner.changed)

    def _piece(self, position: int) -> int:
        return bisect_right(self._starts, position) - 1

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of the folded text's ``[start, end)`` (``end > start``): from
        where its first character came from to where its last did, so whatever was removed or
        folded between them is inside."""
        begin, finish = self._to_inner(start, end)
        return self._inner.to_original(begin, finish) if self._inner else (begin, finish)

    def _to_inner(self, start: int, end: int) -> tuple[int, int]:
        if not self._starts:
            return start, end
        first = self._piece(start)
        if self._linear[first]:
            begin = self._origins[first] + start - self._starts[first]
        else:
            begin = self._origins[first]
        last = self._piece(end - 1)
        if self._linear[last]:
            finish = self._origins[last] + end - self._starts[last]
        else:
            finish = self._ends[last]
        return begin, finish


def fold(text: str) -> Folded:
    """``text`` folded for detection, with its offset map (see the module's docstring)."""
    if text.isascii() and not _TO_FOLD.search(text):
        return Folded(text, len(text))
    out: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    ends: list[int] = []
    linear: list[bool] = []
    length = 0

    def emit(piece: str, origin: int, end: int, is_linear: bool) -> None:
        nonlocal length
        if not piece:
            return  # removed: nothing in the folded text comes from here
        if is_linear and linear and linear[-1] and ends[-1] == origin:
            ends[-1] = end  # extend the run before
        else:
            starts.append(length)
            origins.append(origin)
            ends.append(end)
            linear.append(is_linear)
        out.append(piece)
        length += len(piece)

    last = 0
    for match in _TO_FOLD.finditer(text):
        run = match.group()
        begin = match.start()
        if run.isascii():
            decoded = html.unescape(run) if run.startswith("&") else ""
            if decoded == run:
                continue  # no reference HTML knows: text as it is
            emit(text[last:begin], last, begin, True)
            # one piece (or none, for emphasis): a span over a reference takes all of it
            emit("".join(_fold_char(c) for c in decoded), begin, match.end(), False)
            last = match.end()
            continue
        if all(_fold_char(c) == c for c in set(run)):
            continue  # left as it is: part of the linear run around it
        emit(text[last:begin], last, begin, True)
        for position in range(begin, match.end()):
            char = text[position]
            folded = _fold_char(char)
            emit(folded, position, position + 1, folded == char)
        last = match.end()
    emit(text[last:], last, len(text), True)
    if all(linear) and len(starts) <= 1 and length == len(text):
        return Folded(text, len(text))
    return Folded("".join(out), len(text), starts, origins, ends, linear)


def as_read(text: str) -> str:
    """``text`` as a person reads it, for looking a phrase up in it where no offsets are needed:
    folded (:func:`fold`), then composed over the whole text (NFKC: "e" + U+0301 is "é", as a
    suite writes the phrase). A soft hyphen or a zero-width space inside a word, full-width
    letters, ``b&#108;each`` or ``**ble**ach`` otherwise hid the word from a check for it."""
    folded = fold(text).text
    return folded if folded.isascii() else unicodedata.normalize("NFKC", folded)
