"""Meaning-preserving text perturbations, each a pure function of (text, rng, rate).

Why not nlpaug's augmenters: they draw from the process-global ``random``/``numpy`` state, so a
variant depends on what ran before it, and their outputs change between releases. Here every
operator takes its own seeded ``random.Random`` and a documented rate, so a case id, operator
and seed always give the same text. Character operators touch only letters inside words of
three or more letters: digits, numbers and short words (``7 x 8``, ``is``) stay exactly as
typed, because changing them would change the question rather than its surface.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..lookalikes import HOMOGLYPHS
from .synonyms import SYNONYMS

Operator = Callable[[str, random.Random, float], str]

_WORD = re.compile(r"[A-Za-z]{3,}")

# QWERTY neighbours (same row and the rows above/below), lower case.
KEYBOARD_NEIGHBOURS: dict[str, str] = {
    "q": "wa",
    "w": "qeas",
    "e": "wrsd",
    "r": "etdf",
    "t": "ryfg",
    "y": "tugh",
    "u": "yihj",
    "i": "uojk",
    "o": "ipkl",
    "p": "ol",
    "a": "qwsz",
    "s": "awedxz",
    "d": "serfcx",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "z": "asx",
    "x": "zsdc",
    "c": "xdfv",
    "v": "cfgb",
    "b": "vghn",
    "n": "bhjm",
    "m": "njk",
}

LEET: dict[str, str] = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "g": "9"}


ZERO_WIDTH = ("\u200b", "\u200c", "\u2060")
NOISE_MARKS = (",", "...", "!", ";", " -")


def _count(n_candidates: int, rate: float) -> int:
    """How many of ``n_candidates`` to change: ``rate`` of them, at least one when any exist."""
    if n_candidates == 0:
        return 0
    return max(1, min(n_candidates, round(rate * n_candidates)))


def _edit_words(
    text: str,
    rng: random.Random,
    rate: float,
    edit: Callable[[str, random.Random], str],
    *,
    min_len: int = 3,
) -> str:
    spans = [m.span() for m in _WORD.finditer(text) if m.end() - m.start() >= min_len]
    chosen = sorted(rng.sample(range(len(spans)), _count(len(spans), rate)))
    pieces: list[str] = []
    last = 0
    for index in chosen:
        start, end = spans[index]
        pieces.append(text[last:start])
        pieces.append(edit(text[start:end], rng))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _match_case(new: str, old: str) -> str:
    return new.upper() if old.isupper() else new


def typo(text: str, rng: random.Random, rate: float) -> str:
    """Keyboard typos: one letter per chosen word becomes a neighbouring key (not the first)."""

    def edit(word: str, r: random.Random) -> str:
        i = r.randrange(1, len(word))
        neighbours = KEYBOARD_NEIGHBOURS.get(word[i].lower(), "")
        if not neighbours:
            return word
        return word[:i] + _match_case(r.choice(neighbours), word[i]) + word[i + 1 :]

    return _edit_words(text, rng, rate, edit)


def char_swap(text: str, rng: random.Random, rate: float) -> str:
    """Swap two adjacent interior letters of a word (first and last letters stay)."""

    def edit(word: str, r: random.Random) -> str:
        # only pairs of different letters: swapping "oo" in "book" would change nothing
        spots = [i for i in range(1, len(word) - 2) if word[i] != word[i + 1]]
        if not spots:
            return word
        i = r.choice(spots)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    return _edit_words(text, rng, rate, edit, min_len=4)


def char_drop(text: str, rng: random.Random, rate: float) -> str:
    """Drop one interior letter of a word (first and last letters stay)."""

    def edit(word: str, r: random.Random) -> str:
        i = r.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1 :]

    return _edit_words(text, rng, rate, edit, min_len=4)


def uppercase(text: str, rng: random.Random, rate: float) -> str:
    """The whole text in capitals (shouting)."""
    return text.upper()


def lowercase(text: str, rng: random.Random, rate: float) -> str:
    """The whole text in lower case (no capitals, as many people type)."""
    return text.lower()


def random_case(text: str, rng: random.Random, rate: float) -> str:
    """Flip the case of each letter with probability ``rate`` (at least one letter): letters
    that have a case, so a Chinese or Arabic letter (which has none) takes no share of it."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and ch.swapcase() != ch]
    chosen = set(rng.sample(letters, _count(len(letters), rate)))
    return "".join(ch.swapcase() if i in chosen else ch for i, ch in enumerate(text))


def whitespace(text: str, rng: random.Random, rate: float) -> str:
    """Extra spaces, tabs or a line break between words (never inside a word)."""
    gaps = [m.start() for m in re.finditer(r" ", text)]
    chosen = set(rng.sample(gaps, _count(len(gaps), rate)))
    out = []
    for i, ch in enumerate(text):
        out.append(rng.choice(("   ", "\t", " \n", "  ")) if i in chosen else ch)
    return "".join(out)


def punctuation(text: str, rng: random.Random, rate: float) -> str:
    """Stray punctuation after words (commas, ellipses, exclamation marks)."""

    def edit(word: str, r: random.Random) -> str:
        return word + r.choice(NOISE_MARKS)

    return _edit_words(text, rng, rate, edit, min_len=1)


def leetspeak(text: str, rng: random.Random, rate: float) -> str:
    """Replace letters with look-alike digits (a->4, e->3, o->0 ...) with probability ``rate``."""
    letters = [i for i, ch in enumerate(text) if ch.lower() in LEET]
    chosen = set(rng.sample(letters, _count(len(letters), rate)))
    return "".join(LEET[ch.lower()] if i in chosen else ch for i, ch in enumerate(text))


def homoglyph(text: str, rng: random.Random, rate: float) -> str:
    """Replace Latin letters with identical-looking Cyrillic/Greek code points."""
    letters = [i for i, ch in enumerate(text) if ch in HOMOGLYPHS]
    chosen = set(rng.sample(letters, _count(len(letters), rate)))
    return "".join(HOMOGLYPHS[ch] if i in chosen else ch for i, ch in enumerate(text))


def invisible(text: str, rng: random.Random, rate: float) -> str:
    """Insert zero-width characters inside words (invisible on screen, different to a tokenizer)."""

    def edit(word: str, r: random.Random) -> str:
        i = r.randrange(1, len(word))
        return word[:i] + r.choice(ZERO_WIDTH) + word[i:]

    return _edit_words(text, rng, rate, edit)


def _common_word(text: str, start: int, word: str) -> bool:
    """Lower-case words, or a capital only at the start of a sentence: a capital elsewhere is
    likely a name ("Big Ben"), which a synonym would break."""
    if word.islower():
        return True
    if not (word[0].isupper() and word[1:].islower()):
        return False
    before = text[:start].rstrip()
    return before == "" or before[-1] in ".!?:\n\"'"


def synonym(text: str, rng: random.Random, rate: float) -> str:
    """Replace words with a synonym from the curated table (``synonyms.py``), keeping case."""
    spans = [
        m
        for m in re.finditer(r"[A-Za-z]+", text)
        if m.group(0).lower() in SYNONYMS and _common_word(text, m.start(), m.group(0))
    ]
    chosen = sorted(rng.sample(range(len(spans)), _count(len(spans), rate)))
    pieces: list[str] = []
    last = 0
    for index in chosen:
        match = spans[index]
        word = match.group(0)
        replacement = rng.choice(SYNONYMS[word.lower()])
        if word[0].isupper():
            replacement = replacement[0].upper() + replacement[1:]
        pieces.append(text[last : match.start()])
        pieces.append(replacement)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


@dataclass(frozen=True)
class OperatorInfo:
    """An operator, its default rate, what it models, and whether it draws from its seed: one
    that does not (``uppercase``) gives the same text for every variant, so it makes one."""

    func: Operator
    default_rate: float
    family: str
    seeded: bool = True


OPERATORS: dict[str, OperatorInfo] = {
    "typo": OperatorInfo(typo, 0.15, "character"),
    "char_swap": OperatorInfo(char_swap, 0.15, "character"),
    "char_drop": OperatorInfo(char_drop, 0.15, "character"),
    "uppercase": OperatorInfo(uppercase, 1.0, "case", seeded=False),
    "lowercase": OperatorInfo(lowercase, 1.0, "case", seeded=False),
    "random_case": OperatorInfo(random_case, 0.3, "case"),
    "whitespace": OperatorInfo(whitespace, 0.3, "noise"),
    "punctuation": OperatorInfo(punctuation, 0.2, "noise"),
    "leetspeak": OperatorInfo(leetspeak, 0.5, "obfuscation"),
    "homoglyph": OperatorInfo(homoglyph, 0.3, "obfuscation"),
    "invisible": OperatorInfo(invisible, 0.2, "obfuscation"),
    "synonym": OperatorInfo(synonym, 0.5, "word"),
}
"""Operator name -> implementation. Names are what suites write in ``operators:``."""
