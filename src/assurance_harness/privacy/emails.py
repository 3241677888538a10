"""E-mail addresses in a text, in time linear in its length: Presidio's e-mail recognizer redone.

Presidio's pattern is ``\\b(X|X[X.]*X)@\\w+(?:-+\\w+)*(?:\\.\\w+(?:-+\\w+)*)+\\b`` (``X`` a word
character or one of ``!#$%&'*+-/=?^_`{|}~``): at every word boundary of a run of dots and
letters it runs to the run's end and backs off one character at a time, looking for an "@", so
10,000 characters of ``x.x.x.`` before an "@" took 12 s, and a pattern that runs past Presidio's
regex timeout (60 s) is skipped with a log line: the answer read as holding no address at all.

Here each "@" is read once: its domain is the longest run of labels after it (a domain has no
choice to make: its labels end where the word characters, hyphens and dots end), and its name is
the part of the run of name characters before it that starts at the first word boundary, as
Presidio's leftmost match starts. A name cannot hold an "@", so the runs read for different "@"s
do not overlap. The suffix is checked as Presidio's own check does, on tldextract's bundled
public-suffix list (Presidio's asks the internet for the list): an address with a known suffix
scores Presidio's 1.0, one without is no address.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import regex

from . import presidio

_FLAGS = regex.IGNORECASE | regex.DOTALL | regex.MULTILINE
"""Presidio's flags for its pattern recognizers."""
_NAME_SYMBOLS = r"!#$%&'*+\-/=?^_`{|}~"
_NAME_EDGE = regex.compile(rf"[{_NAME_SYMBOLS}\w]", _FLAGS)
"""A character a name may start or end with (a dot only inside it)."""
_NAME_START = regex.compile(rf"\b[{_NAME_SYMBOLS}\w]", _FLAGS)
_BEFORE_NAME = regex.compile(rf"(?r)[^{_NAME_SYMBOLS}\w.]", _FLAGS)
"""Searched backwards from an "@": the last character before it that no name holds."""
_DOMAIN = regex.compile(r"\w++(?:-++\w++)*+(?:\.\w++(?:-++\w++)*+)++", _FLAGS)
"""Possessive: a domain ends where its characters end, never earlier (nothing to back into)."""


@cache
def _suffix_extractor() -> Any:
    """tldextract on its bundled public-suffix list: nothing fetched."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def suffix_of(address: str) -> str:
    """The public suffix of ``address``'s domain ('co.uk' of 'tom@x.co.uk'), '' where none."""
    return str(_suffix_extractor()(address).suffix)


def find_emails(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each e-mail address in ``text`` with a known suffix, in order and
    non-overlapping: the spans Presidio's e-mail pattern finds and its suffix check keeps."""
    found: list[tuple[int, int]] = []
    pos = 0  # where the last match ended: the next starts here at the earliest, as in finditer
    at = text.find("@")
    while at != -1:
        domain = _DOMAIN.match(text, at + 1)
        if domain is not None and at > pos and _NAME_EDGE.match(text, at - 1):
            before = _BEFORE_NAME.search(text, pos, at)
            name = _NAME_START.search(text, before.end() if before else pos, at)
            if name is not None:
                start, end = name.start(), domain.end()
                pos = end  # a match its check turns down is passed over all the same
                if suffix_of(text[start:end]):
                    found.append((start, end))
        at = text.find("@", max(at + 1, pos))
    return found


def email_recognizer() -> Any:
    """A Presidio recognizer for ``EMAIL_ADDRESS`` built on :func:`find_emails` (its context
    words kept; its score is Presidio's for an address that passed the suffix check)."""
    presidio.load()
    from presidio_analyzer import EntityRecognizer
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    def spans(text: str) -> list[tuple[int, int, float]]:
        return [(start, end, EntityRecognizer.MAX_SCORE) for start, end in find_emails(text)]

    return presidio.linear_recognizer(EmailRecognizer, "EMAIL_ADDRESS", spans)
