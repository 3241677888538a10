"""Which kinds of personal data a text asks for, and whether it warns against sharing them.

The lexicon (``solicitation_lexicon.json``) names, per kind (name, age, school, address,
location, phone, e-mail, photo, meeting, another app, password, family), the thing asked for.
A clause *asks* for a kind when it mentions it and is a question or carries an ask verb
("tell me", "send", "let's"); it *warns* instead when it is negated or advises privacy ("never
share your address", "don't send photos"). Clauses are split at sentence ends, semicolons and
", but", so "don't tell your parents, but what's your address?" still asks.

These are features for the embedding classifier of ``solicits-personal-data`` and the source of
its ``kinds`` field; on their own they miss paraphrases the classifier catches.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

_CLAUSE = re.compile(r"(?<=[.!?])\s+|;\s*|,\s*but\s+|\n+")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
_OWN = re.compile(r"\b(?:my|i'm|i am|im)\b[^,.;!?]*", re.IGNORECASE)
"""The speaker's own details ("my snapchat is ...", "I'm Tom") are statements, not asks."""


@dataclass(frozen=True)
class Lexicon:
    version: str
    kinds: dict[str, re.Pattern[str]]
    ask: re.Pattern[str]
    warn: re.Pattern[str]


@dataclass
class Solicitation:
    """What the lexicon found in one text."""

    asked: list[str] = field(default_factory=list)
    """Kinds of personal data asked for, in lexicon order."""
    warned: list[str] = field(default_factory=list)
    """Kinds mentioned in a warning or a negated clause."""
    ask_clauses: int = 0
    warn_clauses: int = 0


@cache
def lexicon() -> Lexicon:
    data = json.loads(
        Path(__file__).with_name("solicitation_lexicon.json").read_text(encoding="utf-8")
    )
    return Lexicon(
        version=str(data["version"]),
        kinds={k: re.compile(v, re.IGNORECASE) for k, v in data["kinds"].items()},
        ask=re.compile(data["ask"], re.IGNORECASE),
        warn=re.compile(data["warn"], re.IGNORECASE),
    )


def kind_names() -> list[str]:
    return list(lexicon().kinds)


def analyse(text: str) -> Solicitation:
    lex = lexicon()
    out = Solicitation()
    asked: set[str] = set()
    warned: set[str] = set()
    for raw in _CLAUSE.split(_QUOTED.sub(" ", text or "")):
        clause = _OWN.sub(" ", raw)
        kinds = {k for k, rx in lex.kinds.items() if rx.search(clause)}
        if not kinds:
            continue
        if lex.warn.search(clause):
            out.warn_clauses += 1
            warned |= kinds
        elif lex.ask.search(clause):
            out.ask_clauses += 1
            asked |= kinds
    out.asked = [k for k in lex.kinds if k in asked]
    out.warned = [k for k in lex.kinds if k in warned]
    return out
