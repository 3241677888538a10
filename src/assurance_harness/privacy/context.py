"""Presidio's context enhancer (words before a match raise its score: "call me on ..."), with
the token of each match found by bisection, and the text its tokens come from
(:func:`tokenizable`).

Presidio finds the token a match starts in by walking the answer's tokens from the first, once
per match: an answer holding many e-mail addresses or phone numbers took time growing with the
square of its length (2,000 of each, 15 s). The token ends are computed once per answer here,
and the same token is chosen: the first whose end lies past the match's start.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from typing import Any

_SYMBOL_RUN = re.compile(r"(?:[^\w\s]|_){32,}")
"""A long run of symbols, punctuation or emoji: one word to spaCy's tokenizer."""
_BREAK_EVERY = 16


def _broken(match: re.Match[str]) -> str:
    run = match.group()
    return "".join(" " if i % _BREAK_EVERY == _BREAK_EVERY - 1 else c for i, c in enumerate(run))


def tokenizable(text: str) -> str:
    """``text`` as it is handed to the tokenizer, its tokens used only to weigh the words before
    a match: each long run of symbols broken by a space every 16 characters, in place, so
    every offset stays where it was.

    spaCy's tokenizer strips a symbol from the end of a word one at a time, searching the whole
    word again each time: a run of 3,000 "=" took 3 s, 20,000 emoji two minutes, in the pii
    scorer and again in redaction. The words around such a run are tokenized as before."""
    return _SYMBOL_RUN.sub(_broken, text)


def context_enhancer() -> Any:
    """A ``LemmaContextAwareEnhancer`` with Presidio's settings, in linear time."""
    from . import presidio

    presidio.load()
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

    local = threading.local()  # the analyzer is shared by threads; each answer's own ends

    class BisectingContextEnhancer(LemmaContextAwareEnhancer):  # type: ignore[misc]
        def enhance_using_context(
            self, text: str, raw_results: list[Any], nlp_artifacts: Any, *args: Any, **kw: Any
        ) -> list[Any]:
            tokens = nlp_artifacts.tokens if nlp_artifacts is not None else None
            starts = nlp_artifacts.tokens_indices if tokens else []
            local.ends = [
                start + len(token) for start, token in zip(starts, tokens or [], strict=True)
            ]
            try:
                return list(
                    super().enhance_using_context(text, raw_results, nlp_artifacts, *args, **kw)
                )
            finally:
                local.ends = []

        @staticmethod
        def _find_index_of_match_token(
            word: str, start: int, tokens: Any, tokens_indices: list[int]
        ) -> int:
            ends: list[int] = local.ends
            index = bisect_right(ends, start)
            if index >= len(ends):
                raise ValueError(f"Did not find word '{word}' in the list of tokens")
            return index

    return BisectingContextEnhancer()
