"""Simple built-in scorers: substring, regular expression, length and exact match.

They need no model, so any suite runs end to end with them, and they make precise checks
(a required disclaimer, a forbidden phrase) that a classifier would only approximate.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from ..datatypes import ScoreInput, refuse_blank_phrases
from ..errors import SuiteFaultError
from ..privacy.normalise import as_read
from .base import FieldType, Scorer, ScorerParams, register_scorer


class ContainsParams(ScorerParams):
    terms: list[str] = Field(default_factory=list)
    """Phrases to look for. Empty: use the case's ``expected.must_contain``."""
    mode: Literal["any", "all"] = "any"
    """``any``: matched when one phrase occurs; ``all``: when every phrase does."""
    case_sensitive: bool = False

    @field_validator("terms")
    @classmethod
    def _not_blank(cls, value: list[str]) -> list[str]:
        return refuse_blank_phrases(value)


@register_scorer
class ContainsScorer(Scorer):
    """Whether the response holds given phrases (the scorer's terms or the case's must_contain)."""

    name = "contains"
    version = "2"
    """2: the phrases are looked for in the response as read (``privacy.normalise.as_read``):
    a soft hyphen or zero-width space inside a word, full-width letters, an HTML reference or
    emphasis no longer hide it, and without ``case_sensitive`` "STRASSE" holds "straße"."""
    Params = ContainsParams
    fields = {
        "matched": "true when the phrases occur (per mode)",
        "found": "the phrases that occur",
    }
    field_types: ClassVar[dict[str, FieldType]] = {"matched": "bool", "found": "list"}

    def score(self, batch: list[ScoreInput]) -> list[dict[str, Any]]:
        params = self.params
        assert isinstance(params, ContainsParams)
        fold_case = not params.case_sensitive
        out = []
        for item in batch:
            terms = params.terms or list(item.case.expected.must_contain)
            read = _as_read(item.response, fold_case=fold_case)
            found = [t for t in terms if _occurs(t, item.response, read, fold_case=fold_case)]
            if not terms:
                matched = None
            elif params.mode == "all":
                matched = len(found) == len(terms)
            else:
                matched = bool(found)
            out.append({"matched": matched, "found": found})
        return out


def _as_read(text: str, *, fold_case: bool) -> str:
    """``text`` as a person reads it (``as_read``), case-folded where case does not count."""
    read = as_read(text)
    return read.casefold() if fold_case else read


def _occurs(term: str, response: str, read: str, *, fold_case: bool) -> bool:
    """Whether ``term`` occurs in the response as read (``read``); a term that reads as nothing
    (only invisible characters or emphasis) is looked for as written, as it always was."""
    key = _as_read(term, fold_case=fold_case)
    if key.strip():
        return key in read
    return (term.lower() in response.lower()) if fold_case else term in response


class RegexParams(ScorerParams):
    pattern: str
    """Python regular expression searched for in the response."""
    ignore_case: bool = True

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        if all(compiled.search(text) is not None for text in NOTHING_IN_PARTICULAR):
            raise ValueError(
                f"the pattern {value!r} matches a response with nothing in it (it can match "
                "an empty string: a bare 'x*', '.*', '^', or an empty alternative such as "
                "'a|'), so it would match every response; make each alternative match at "
                "least one character, or anchor it ('^$' for an empty response)"
            )
        return value


NOTHING_IN_PARTICULAR = ("", "zq")
"""Responses with nothing in them a pattern could be meant to find: one that matches both (at
any case setting: ``ignore_case`` only widens a match) matches every response."""

MATCH_SECONDS = 5.0
"""Longest a short answer's search may take. A pattern that backtracks catastrophically
(``(a|aa)+$`` on sixty a's and a b: about 2^40 steps) never finishes, and Python's ``re`` has no
time limit, so one answer held the run at "scoring" for ever."""
MATCH_SECONDS_PER_MB = 5.0
"""More time per million characters of the answer: a linear pattern searches a 10 MB answer in
1-3 s here, and a busy machine must not turn a slow search into a failed run."""


def match_seconds(text: str) -> float:
    """The time one search of ``text`` may take (``MATCH_SECONDS`` and its size's share)."""
    return MATCH_SECONDS + MATCH_SECONDS_PER_MB * len(text) / 1_000_000


@register_scorer
class RegexScorer(Scorer):
    """Whether a regular expression occurs in the response, and how often.

    Searches with the ``regex`` package (a dependency of transformers; ``re``-compatible for
    every pattern ``re`` accepts, which is what the parameters are checked with), because it
    can bound a search in time from any thread, as a signal cannot."""

    name = "regex"
    version = "1"
    Params = RegexParams
    fields = {"matched": "the pattern occurs", "count": "number of non-overlapping matches"}
    field_types: ClassVar[dict[str, FieldType]] = {"matched": "bool", "count": "number"}

    def setup(self) -> None:
        import regex

        params = self.params
        assert isinstance(params, RegexParams)
        self._regex = regex.compile(params.pattern, regex.IGNORECASE if params.ignore_case else 0)

    def score(self, batch: list[ScoreInput]) -> list[dict[str, Any]]:
        if not hasattr(self, "_regex"):
            self.setup()
        out = []
        for item in batch:
            try:
                count = len(
                    self._regex.findall(item.response, timeout=match_seconds(item.response))
                )
            except TimeoutError:
                raise SuiteFaultError(self._too_slow(item)) from None
            out.append({"matched": count > 0, "count": count})
        return out

    def _too_slow(self, item: ScoreInput) -> str:
        params = self.params
        assert isinstance(params, RegexParams)
        return (
            f"scorer regex: the pattern {params.pattern!r} did not finish within "
            f"{match_seconds(item.response):.3g} s on the answer to case '{item.case.id}' "
            f"(sample {item.sample}, {len(item.response):,} characters): it backtracks "
            "catastrophically (a repeat inside a repeat, or alternatives that match the same "
            "text, such as (a|aa)+); "
            "rewrite it so that each character can be matched one way only"
        )


@register_scorer
class LengthScorer(Scorer):
    """The response's length in characters and words."""

    name = "length"
    version = "1"
    fields = {"chars": "characters in the response", "words": "whitespace-separated words"}
    field_types: ClassVar[dict[str, FieldType]] = {"chars": "number", "words": "number"}

    def score(self, batch: list[ScoreInput]) -> list[dict[str, Any]]:
        return [{"chars": len(i.response), "words": len(i.response.split())} for i in batch]


class ExactParams(ScorerParams):
    normalize: bool = True
    """Compare as read (invisible characters out, full-width letters and decomposed accents as
    the letters they show), case-folded, trimmed, whitespace collapsed and final punctuation
    dropped."""


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", as_read(text).strip().casefold()).rstrip(".!?")


@register_scorer
class ExactScorer(Scorer):
    """Whether the response equals the case's expected answer."""

    name = "exact"
    version = "2"
    """2: with ``normalize`` the response and the answer are compared as read
    (``privacy.normalise.as_read``) and case-folded: "Cafe" + U+0301 is "café", "STRASSE" is
    "Straße", "Caf" + U+00AD (a soft hyphen) + "é" is "Café"; version 1 compared code points."""
    Params = ExactParams
    fields = {"match": "the response equals expected.answer (null when the case has none)"}
    field_types: ClassVar[dict[str, FieldType]] = {"match": "bool"}

    def score(self, batch: list[ScoreInput]) -> list[dict[str, Any]]:
        params = self.params
        assert isinstance(params, ExactParams)
        out: list[dict[str, Any]] = []
        for item in batch:
            answer = item.case.expected.answer
            if answer is None:
                out.append({"match": None})
            elif params.normalize:
                out.append({"match": _normalize(item.response) == _normalize(str(answer))})
            else:
                out.append({"match": item.response == str(answer)})
        return out
