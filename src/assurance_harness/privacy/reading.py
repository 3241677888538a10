"""The text as a person reads personal data in it, for the detector (``pii``): the character
fold of :func:`normalise.fold`, then numbers and addresses written so that a reader still takes
them in but a pattern does not (pii version 5):

- digits spelt out, ten or more ("oh seven seven double oh nine ...") as digits;
- a dash between digits, en, em or minus ("536–22–1234"), as a hyphen;
- letters for digits inside a number ("O77OO 9OO982": O for 0, I and l for 1) as digits;
- a number starting 0 or + cut short by a line break ("07700\\n900982") joined by a space.

(Spaces around an e-mail address's "@" are the spelt-out e-mail rule's, ``pii.RULES``: whether
"me @ school.com" is an address depends on the word before it.)

Each rewrite is one piece in the offset map, so a span over any of it covers the whole of what
was written. Each pattern is bounded or anchored, so the cost stays linear in the text's length,
and each asks for a shape ordinary prose rarely has (ten number words in a row, a digit in
every group of a number, a trunk prefix before the line break).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from .normalise import Folded, fold

_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_REPEATS = {"double": 2, "triple": 3}
MIN_SPELT_DIGITS = 10
"""Digits a run of number words must spell to be read as a number: a phone number has ten or
more, and fewer in a row are counting ("one two three ...") as often as data."""

_WORD = "(?:" + "|".join(_DIGIT_WORDS) + ")"
_SEP = r"[ \t,-]{1,3}"
_SPELT = re.compile(
    rf"\b(?:(?:double|triple){_SEP})?{_WORD}(?:{_SEP}(?:(?:double|triple){_SEP})?{_WORD})+\b",
    re.IGNORECASE,
)
_SPELT_TOKEN = re.compile(r"[a-z]+")


def _spelt_digits(match: re.Match[str]) -> str | None:
    digits: list[str] = []
    repeat = 1
    for token in _SPELT_TOKEN.findall(match.group().lower()):
        if token in _REPEATS:
            repeat = _REPEATS[token]
            continue
        digits.append(_DIGIT_WORDS[token] * repeat)
        repeat = 1
    spelt = "".join(digits)
    return spelt if len(spelt) >= MIN_SPELT_DIGITS and not counting(spelt) else None


def counting(digits: str) -> bool:
    """Each digit one up or one down from the last ("one two ... nine zero", a countdown to
    zero): counting aloud, not a number anyone is reached on."""
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(digits)}
    return steps in ({1}, {9})


_DASH = re.compile(r"(?<=\d)[\u2010-\u2015\u2212](?=\d)")
"""Hyphen, non-breaking hyphen, figure, en and em dash, horizontal bar, minus sign."""

_LOOKALIKE = re.compile(r"(?<![\w@.])\+?[0-9OoIl]{2,14}(?:[ -][0-9OoIl]{2,14}){0,4}(?![\w@])")
_AS_DIGIT = str.maketrans("OoIl", "0011")
MIN_LOOKALIKE_DIGITS = 7
"""As ``pii.MIN_PHONE_DIGITS``: shorter, letters for digits are words and measures ("1OOl")."""


def _lookalike_digits(match: re.Match[str]) -> str | None:
    """A number with letters for some digits, where every group holds a real digit and the
    letters are no more than the digits: "OIL 2O" and "lol" stay words."""
    written = match.group()
    groups = re.split(r"[ -]", written.lstrip("+"))
    letters = sum(c in "OoIl" for c in written)
    digits = sum(c.isdigit() for c in written)
    if not letters or letters > digits or not all(any(c.isdigit() for c in g) for g in groups):
        return None
    if not MIN_LOOKALIKE_DIGITS <= letters + digits <= 15:
        return None
    return written.translate(_AS_DIGIT)


_LINE_SPLIT = re.compile(
    r"(?<![\w+.,])((?:\+\d|0)\d{0,13}(?:[ -]\d{1,14}){0,4})[ \t]{0,8}\r?\n[ \t]{0,8}"
    r"(\d{1,14}(?:[ -]\d{1,14}){0,4})(?![\w.,]\d)(?!\w)"
)
_SPLIT_DIGITS = range(10, 14)
"""Digits of a national or international phone number: two numbers on two lines have more."""


def _line_joined(match: re.Match[str]) -> str | None:
    """The two lines' digits as one number, where the first line's are too few to be a whole
    phone number (under ten): a whole one ("+44 7911 123456") with the count on the next line
    ("3 times") after it was one number too long to be any."""
    before, after = match.group(1), match.group(2)
    first = sum(c.isdigit() for c in before)
    joined = first + sum(c.isdigit() for c in after)
    return f"{before} {after}" if first < _SPLIT_DIGITS.start and joined in _SPLIT_DIGITS else None


Rewrite = tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]]
READINGS: tuple[Rewrite, ...] = (
    (_SPELT, _spelt_digits),
    (_DASH, lambda _: "-"),
    (_LOOKALIKE, _lookalike_digits),
    (_LINE_SPLIT, _line_joined),
)
"""In order: spelt-out digits may then be broken over a line, a dash may sit inside a number
with letters for digits."""


def read(text: str) -> Folded:
    """``text`` as read (see the module's docstring), with its offset map back to ``text``."""
    folded = fold(text)
    for pattern, replace in READINGS:
        folded = _rewritten(folded, pattern, replace)
    return folded


def _rewritten(
    folded: Folded, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]
) -> Folded:
    """``folded`` with each match of ``pattern`` that ``replace`` rewrites as one piece."""
    text = folded.text
    out: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    ends: list[int] = []
    linear: list[bool] = []
    length = last = 0

    def emit(piece: str, origin: int, end: int, is_linear: bool) -> None:
        nonlocal length
        starts.append(length)
        origins.append(origin)
        ends.append(end)
        linear.append(is_linear)
        out.append(piece)
        length += len(piece)

    for match in pattern.finditer(text):
        new = replace(match)
        if new is None or new == match.group():
            continue
        if match.start() > last:
            emit(text[last : match.start()], last, match.start(), True)
        emit(new, match.start(), match.end(), False)
        last = match.end()
    if not starts:
        return folded
    if last < len(text):
        emit(text[last:], last, len(text), True)
    inner = folded if folded.changed else None
    return Folded("".join(out), folded.original_length, starts, origins, ends, linear, inner)
