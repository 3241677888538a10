"""Split a response into short windows of whole sentences, so that long answers are scored piece
by piece.

A sentence embedding averages every token and the model reads at most 256 word pieces, so one
violent paragraph inside a long, friendly answer is diluted away (or cut off when it comes
late). Scorers that rate content embed each window and take the maximum over windows: a
response is as unsuitable as its worst part. Windows hold whole sentences up to
``max_words`` words (well under the model's 256 word pieces); a longer sentence is cut into
pieces of ``max_words`` words, so nothing is ever truncated.
"""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
MAX_WORDS = 60


def sentences(text: str) -> list[str]:
    """The text's sentences (and list items, and paragraphs), in order, without empty ones: the
    pieces :func:`windows` groups."""
    return [s for s in (part.strip() for part in _SENTENCE.split(text.strip())) if s]


def windows(text: str, *, max_words: int = MAX_WORDS) -> list[str]:
    """Consecutive sentences grouped into windows of at most ``max_words`` words, in order.

    A text of at most ``max_words`` words is one window (itself), so short answers are scored
    exactly as before. Empty text gives one empty window.
    """
    stripped = text.strip()
    if len(stripped.split()) <= max_words:
        return [text]
    out: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in sentences(stripped):
        words = sentence.split()
        if len(words) > max_words:
            if current:
                out.append(" ".join(current))
                current, count = [], 0
            for start in range(0, len(words), max_words):
                out.append(" ".join(words[start : start + max_words]))
            continue
        if count + len(words) > max_words and current:
            out.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += len(words)
    if current:
        out.append(" ".join(current))
    return out or [text]
