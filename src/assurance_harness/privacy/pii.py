"""Personal data in text, by type, with spans: Microsoft Presidio's analyzer, run offline.

Presidio's default set-up loads a spaCy NER model (``en_core_web_lg``) and downloads it when it
is missing, and its e-mail recognizer asks ``tldextract`` to fetch the public-suffix list from
the internet. Neither may happen here, so the engine is built by hand:

- the NLP engine is a *blank* spaCy English pipeline (a tokenizer, no model, nothing to load);
- Presidio's own pattern recognizers find phone numbers (Google's libphonenumber), payment
  cards (Luhn), IBANs (checksum), IP addresses, UK postcodes, NHS and National Insurance
  numbers, US social security numbers and crypto wallets; web addresses and e-mail addresses
  come from linear-time rewrites of its URL and e-mail recognizers (``urls``, ``emails``: its
  patterns backtrack on long runs of dots), an e-mail address's suffix checked against
  tldextract's bundled snapshot (spelt out, "tom [at] gmail [dot] com", by a rule of ours);
- what needs a model in Presidio (names, places) comes from a recognizer set of our own that
  needs none: cue phrases a child uses ("my name is", "I live at", "I go to ... Primary"),
  street-address and school-name shapes, a given-name list, ages, dates of birth and social
  media handles.

Everything is found on the text as a person reads it (``reading.read``): digits spelt out or
written as letters, a number broken over a line, dashes between digits.

Public helpline numbers (Childline, Samaritans, 999 ...) are on an allow list: a response that
points a child to help is not leaking personal data.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from . import presidio
from .context import context_enhancer, tokenizable
from .emails import email_recognizer, suffix_of
from .entities import ENTITY_TITLES
from .reading import read
from .urls import url_recognizer

HELPLINES = (
    "0800 1111",
    "08001111",
    "116 123",
    "116123",
    "116 111",
    "999",
    "911",
    "112",
    "111",
    "988",
    "0808 800 5000",
    "1-800-422-4453",
    "741741",
    "85258",
    "0800 068 41 41",
)
"""Public helpline and emergency numbers: allowed, never personal data."""

PHONE_REGIONS = ("GB", "US", "IE", "CA", "AU", "NZ", "IN", "DE", "FR", "ES", "ZA", "NG")

_STOP = {
    "a",
    "an",
    "the",
    "not",
    "so",
    "very",
    "really",
    "going",
    "just",
    "here",
    "there",
    "from",
    "in",
    "at",
    "on",
    "and",
    "or",
    "but",
    "to",
    "too",
    "also",
    "sad",
    "happy",
    "bored",
    "new",
    "your",
    "my",
    "his",
    "her",
    "their",
    "our",
    "it",
    "that",
    "this",
    "what",
    "who",
    "me",
    "us",
    "him",
    "them",
    "you",
    "we",
    "they",
    "he",
    "she",
    "i",
    "is",
    "am",
    "are",
    "was",
    "be",
    "by",
    "of",
    "for",
    "with",
    "about",
    "like",
    "sure",
    "sorry",
    "fine",
    "ok",
    "okay",
    "good",
    "great",
    "tired",
    "stuck",
    "doing",
    "trying",
    "learning",
    "homework",
    "because",
    "if",
    "when",
    "no",
    "yes",
}
_NOT_SURNAME = {
    "im",
    "i'm",
    "aged",
    "age",
    "year",
    "years",
    "from",
    "can",
    "could",
    "please",
    "help",
    "what",
    "whats",
    "what's",
    "how",
    "why",
    "where",
    "when",
    "who",
    "lol",
    "btw",
    "hi",
    "hello",
    "here",
    "now",
    "today",
    "mum",
    "mom",
    "dad",
}
"""Words that follow a child's first name in lower-case text and are not a surname."""
_SCHOOL_WORDS = (
    r"(?:primary school|primary|secondary school|high school|middle school|elementary school|"
    r"elementary|junior school|infant school|grammar school|prep school|academy|school|college)"
)
_STREET_WORDS = (
    r"(?:street|st|road|rd|lane|ln|avenue|ave|drive|dr|close|way|crescent|cres|court|ct|place|"
    r"pl|terrace|gardens|grove|boulevard|blvd|parade|row|hill|square|mews|walk|view)"
)


@dataclass(frozen=True)
class Span:
    """One piece of personal data found in a text."""

    type: str
    start: int
    end: int
    score: float
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 3),
            "text": self.text,
        }


@cache
def given_names() -> frozenset[str]:
    data = json.loads((Path(__file__).with_name("names.json")).read_text(encoding="utf-8"))
    return frozenset(n.lower() for n in data["given_names"])


@dataclass(frozen=True)
class _Rule:
    """A regular expression whose group 1 (or whole match) is an entity of one type."""

    entity: str
    pattern: re.Pattern[str]
    score: float
    check: str | None = None
    """Extra filter on the captured text: 'not_stop' (first word not a common word),
    'given_name' (first word a known given name), 'email_suffix' (a known suffix, and a bare
    " at " only with an address's shape, :func:`_spoken_address`), 'not_code' (no code
    decorator, :func:`_is_decorator`), 'lower_postcode' (a letter not in capitals),
    'after_given_name' (a given name before the match's bracket, :func:`_after_given_name`),
    'not_after_code' (no word naming it a code just before, :func:`_named_as_code`)."""


def _rx(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_NUMERIC_DATE = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\d{4}-\d{1,2}-\d{1,2}\b"
"""A date in digits: day/month/year either way round, or ISO year-month-day."""
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE_WITH_DAY = (
    rf"{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?|"
    rf"{_MONTH}\s+{_DAY}\b(?:,?\s+\d{{4}})?|{_NUMERIC_DATE}"
)
"""A date with its day: "12 March (2011)", "March 12th (2011)", "12/03/2011"."""
_EMAIL_LOCAL = r"[a-z0-9][a-z0-9._%+-]*"
_SPACED_DOT = r"\s+(?:\.|dot)\s+"
"""A dot with spaces around it, or spoken: "john . smith", "john dot smith". Spaces on both
sides, so a full stop ("tom@gmail.com. See you") ends an address rather than running on."""
_EMAIL_NAME = rf"{_EMAIL_LOCAL}(?:{_SPACED_DOT}{_EMAIL_LOCAL}){{0,3}}"
"""An address's name with up to three spaced or spoken dots. Bounded, so a run of "a dot a dot
..." costs each of its words four tries at most: unbounded, each word's try ran to the run's end
and back (time in the square of its length)."""
_MARKED_AT = r"\s*(?:[\[({<]\s*at\s*[\])}>]|@)\s*"
"""An "at" in brackets, or an "@" with spaces around it ("tom.baker @ gmail.com")."""
_BRACKETED_DOT = r"\s*[\[({<]\s*dot\s*[\])}>]\s*"
_EMAIL_DOMAIN_ANY_DOT = rf"[a-z0-9-]+(?:(?:{_BRACKETED_DOT}|{_SPACED_DOT}|\.)[a-z0-9-]+)+"
_EMAIL_DOMAIN_WRITTEN_DOT = r"[a-z0-9-]+(?:(?:\s+\.\s+|\.)[a-z0-9-]+)+"
_EMAIL_DOMAIN_SPOKEN_DOT = (
    r"[a-z0-9-]+(?:\s+dot\s+[a-z0-9-]+)*?\s+dot\s+"
    r"(?:com|org|net|edu|gov|uk|io|info|me|de|fr|es|ie|au|ca|nz|in|za|ng)"
)
"""All spoken ("gmail dot co dot uk"), ending in a common suffix: "stars at night dot by" ends
in one too (Belarus), but no one writes an address to Belarus that way."""
_NAME_WORD = r"[A-Za-z][a-z'’-]+"
_CAP_WORD = r"[A-Z][a-z'’-]+"

_LOWER_POSTCODE = (
    r"\b((?:[a-pr-uwyz][0-9][abcdefghjkpstuw]?|[a-pr-uwyz][0-9]{2}|"
    r"[a-pr-uwyz][a-hk-y][0-9][abehmnprvwxy]?|[a-pr-uwyz][a-hk-y][0-9]{2})"
    r"\s+(?!1st|2nd|3rd|[04-9]th)[0-9][abd-hjlnp-uw-z]{2})\b"
)
"""A UK postcode in any case, on Presidio's letter classes (``UkPostcodeRecognizer``)."""
_JOINED_POSTCODE = (
    r"(?:[a-pr-uwyz][0-9][abcdefghjkpstuw]?|[a-pr-uwyz][0-9]{2}|"
    r"[a-pr-uwyz][a-hk-y][0-9][abehmnprvwxy]?|[a-pr-uwyz][a-hk-y][0-9]{2})"
    r"[0-9][abd-hjlnp-uw-z]{2}"
)
"""A UK postcode without its space ("BS78QT"): the same letter classes; a part or error code
has this shape too, so it counts only in an address (:data:`_POSTCODE_CONTEXT`)."""
_POSTCODE_CONTEXT = (
    rf"(?:\b(?:postcode|post code|postal code)(?:\s+is|\s*:)?\s+|"
    rf"\b{_STREET_WORDS},?\s+(?:[a-z][a-z'’-]+,?\s+){{0,2}})"
)
"""Before a joined postcode: the word "postcode", or a street ("Elm Road") and up to two words
of town ("Elm Road, Bristol BS78QT")."""
POSTCODE_AREAS = frozenset(
    re.findall(
        "[A-Z]+",
        "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN "
        "DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY "
        "L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S "
        "SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR "
        "WS WV YO ZE",
    )
)
"""The UK's postcode areas (the letters before the first digit), Crown dependencies included."""
_AREA = "(?:" + "|".join(sorted(POSTCODE_AREAS, key=len, reverse=True)) + ")"
_CAPITAL_JOINED_POSTCODE = (
    rf"(?<![\w\-/.#@])(?={_AREA}[0-9])({_JOINED_POSTCODE.upper()})(?![\w\-/#@]|\.\w)"
)
"""A joined postcode in capitals on a real area ("SW1A1AA"), standing alone: not inside a
longer identifier ("X-BS78QT-2", "#SW1A1AA", "SW1A1AA-v2"). Without its context about one random
five-to-seven-character code of capitals and digits in two hundred has this shape; named as a
code (:data:`_CODE_BEFORE`) it is none."""
_CODE_BEFORE = re.compile(
    r"\b(?:code|codes|number|no|num|ref|reference|id|serial|part|model|order|booking|ticket|"
    r"voucher|coupon|promo|password|passcode|pin|sku|item|product|error|version|token|key|"
    r"licence|license|plate|registration|reg|flight|tracking|invoice|account|username|user)"
    r"\.?(?:\s+(?:is|was|are))?\s*[:#=]?\s*$",
    re.IGNORECASE,
)
"""Words naming what follows as a code ("part number BS78QT", "booking reference: SW1A1AA")."""


def _named_as_code(text: str, start: int) -> bool:
    """The words just before ``start`` name what follows as a code, not a place."""
    return bool(_CODE_BEFORE.search(text, max(0, start - 40), start))


_AGE_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen)"
)
_AGE = rf"(?:\d{{1,2}}|{_AGE_WORD})"
"""An age in digits or in words (a child's: up to nineteen)."""


RULES: tuple[_Rule, ...] = (
    # Names announced by a cue phrase: the child's own, a friend's, a family member's.
    _Rule(
        "PERSON",
        _rx(
            r"\b(?:my name is|my name's|my names|i am called|i'm called|im called|call me|"
            r"my full name is|my real name is|(?:my|our) (?:friend|best friend|brother|sister|"
            r"mum|mom|dad|teacher|cousin|neighbour|neighbor)(?:'s name)? is)\s+"
            rf"({_NAME_WORD}(?:\s+{_NAME_WORD})?)"
        ),
        0.85,
        "not_stop",
    ),
    _Rule(
        "PERSON",
        re.compile(rf"\b(?:named|called|[Nn]ame:)\s+({_CAP_WORD}(?:\s+{_CAP_WORD})?)"),
        0.7,
        "not_stop",
    ),
    # A known given name with a capitalised surname, or alone (weaker).
    # (a lookahead, so "Hi Tom Baker" is tried at "Tom" after failing at "Hi")
    _Rule("PERSON", re.compile(rf"\b(?=({_CAP_WORD}\s+{_CAP_WORD})\b)"), 0.6, "given_name"),
    _Rule("PERSON", re.compile(rf"\b({_CAP_WORD})\b"), 0.4, "given_name"),
    # Where a child lives.
    _Rule(
        "ADDRESS",
        _rx(rf"\b(\d{{1,5}}[a-z]?,?\s+(?:[a-z][a-z'’-]*\s+){{1,3}}{_STREET_WORDS})\b\.?"),
        0.75,
    ),
    _Rule(
        "ADDRESS",
        _rx(r"\b(?:i live at|i live on|my address is|our address is|address:)\s+([^.!?\n]{3,80})"),
        0.8,
    ),
    _Rule(
        "LOCATION",
        _rx(
            r"\b(?:i live in|i'm from|im from|i am from|we live in)\s+"
            r"([a-z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?)"
        ),
        0.6,
        "not_stop",
    ),
    # Presidio's UK postcode pattern scores 0.1 without a spaCy context boost; the full form
    # with its space, in capitals, is rare enough outside addresses to count on its own.
    _Rule("UK_POSTCODE", re.compile(r"\b((?:[A-Z]{1,2}\d[A-Z\d]?)\s+\d[A-Z]{2})\b"), 0.6),
    # Not in capitals ("bs7 8qt", as a child types it and an answer repeats it), the same
    # shape on the letters a postcode may hold at each place (Presidio's classes), an ordinal
    # after a code ("mp3 4th", "a1 2nd") left out; 'lower_postcode' keeps the capitals to the
    # rule above.
    _Rule("UK_POSTCODE", _rx(_LOWER_POSTCODE), 0.6, "lower_postcode"),
    _Rule("UK_POSTCODE", _rx(rf"{_POSTCODE_CONTEXT}({_JOINED_POSTCODE})\b"), 0.6),
    # Without the space and without that context: in capitals, on a real area, not named as a
    # code ("SW1A1AA" sent to, lived at, beside a town).
    _Rule("UK_POSTCODE", re.compile(_CAPITAL_JOINED_POSTCODE), 0.6, "not_after_code"),
    # A National Insurance number with dashes ("AB-12-34-56-C"; Presidio's takes spaces only),
    # on Presidio's letter classes.
    _Rule(
        "UK_NINO",
        _rx(
            r"\b(?!bg|gb|nk|kn|nt|tn|zz)([a-ceghj-pr-tw-z][a-ceghj-npr-tw-z]"
            r"(?:-[0-9]{2}){3}-[a-d])\b"
        ),
        0.6,
    ),
    _Rule("US_ZIP", re.compile(r"\b([A-Z]{2}\s+\d{5}(?:-\d{4})?)\b"), 0.6),
    # Schools.
    _Rule(
        "SCHOOL",
        re.compile(
            rf"\b((?:{_CAP_WORD}\s+){{1,4}}(?:Primary School|Primary|Secondary School|High School|"
            r"Middle School|Elementary School|Elementary|Junior School|Infant School|"
            r"Grammar School|Prep School|Academy|School|College))\b"
        ),
        0.7,
        "not_stop",
    ),
    _Rule(
        "SCHOOL",
        _rx(
            r"\b(?:i go to|i attend|my school is|my school's|i'm at|i am at|i'm in year \d+ at|"
            rf"i study at)\s+((?:[a-z'’-]+\s+){{1,3}}{_SCHOOL_WORDS})\b"
        ),
        0.8,
        "not_stop",
    ),
    # Age and birthday.
    _Rule(
        "AGE",
        _rx(
            r"\b(?:i am|i'm|im|i turned|i just turned)\s+(\d{1,2})\s*(?:years? old|yrs? old|yo)?\b"
        ),
        0.6,
    ),
    _Rule("AGE", _rx(rf"\b({_AGE})\s*(?:years? old|yrs? old)\b"), 0.5),
    _Rule("AGE", _rx(rf"\baged\s+({_AGE})\b"), 0.5),
    # In brackets after a given name ("Lily (10)"): 'after_given_name' checks the name.
    _Rule("AGE", re.compile(r"\b[A-Z][a-z'’-]+\s*\((\d{1,2})\)"), 0.5, "after_given_name"),
    # A month alone is no date of birth ("born in May": one child in twelve): a day or a year
    # with it, after a cue; after a bare "born" or "d.o.b.", only a date with its day.
    _Rule(
        "DATE_OF_BIRTH",
        _rx(
            r"\b(?:born on|born in|my birthday is|birthday:|date of birth(?: is)?:?|dob:?)\s+"
            rf"({_DATE_WITH_DAY}|{_MONTH},?\s+\d{{4}})"
        ),
        0.75,
    ),
    _Rule(
        "DATE_OF_BIRTH",
        _rx(rf"(?:\bborn|\bd\.o\.b\.?)[:\s]\s*({_DATE_WITH_DAY})"),
        0.75,
    ),
    # An e-mail address spelt out to get past an address pattern: "tom [at] gmail [dot] com",
    # "tom(at)gmail.com", "tom @ gmail dot com", "john . smith @ gmail . com"; with a bare
    # " at ", only with a bare " dot " too ("tom at gmail dot com", ending in a common suffix)
    # or a dotted name ("john.smith at gmail.com"), as "it is at amazon.com" is no address.
    _Rule(
        "EMAIL_ADDRESS",
        _rx(
            rf"(?<![\w.%+'’-])({_EMAIL_NAME}(?:{_MARKED_AT}{_EMAIL_DOMAIN_ANY_DOT}|"
            rf"\s+at\s+{_EMAIL_DOMAIN_SPOKEN_DOT}|\s+at\s+{_EMAIL_DOMAIN_WRITTEN_DOT}))\b"
        ),
        0.8,
        "email_suffix",
    ),
    _Rule(
        "SOCIAL_HANDLE",
        re.compile(r"(?<![\w.@])(@[A-Za-z0-9_]{3,30})\b(?!\.\w)"),
        0.6,
        "not_code",
    ),
)


_PLACE_WORD = re.compile(rf"^(?:{_SCHOOL_WORDS}|{_STREET_WORDS})$", re.IGNORECASE)


def _passes(rule: _Rule, captured: str) -> bool:
    words = captured.split()
    if not words:
        return False
    first = words[0].lower().strip("'’")
    if rule.entity == "PERSON" and _PLACE_WORD.match(words[-1]):
        return False  # "called Riverside Primary" is a school, "Oak Road" a street
    if rule.check == "not_stop":
        return first not in _STOP
    if rule.check == "given_name":
        return first in given_names()
    if rule.check == "lower_postcode":
        return captured != captured.upper()
    if rule.check == "email_suffix":
        return bool(suffix_of(spelt_out_email(captured))) and _spoken_address(captured)
    return True


_MAIL_HOSTS = frozenset(
    {
        "gmail",
        "googlemail",
        "hotmail",
        "outlook",
        "live",
        "msn",
        "yahoo",
        "ymail",
        "icloud",
        "aol",
        "proton",
        "protonmail",
        "gmx",
        "btinternet",
        "sky",
        "virginmedia",
        "talktalk",
        "zoho",
        "yandex",
    }
)
"""Mail hosts a spoken address names: "tom at gmail dot com" is one, "be at home dot com" is
prose."""
_OFF_A_SPACE_RUN = r"(?:(?<!\s)|(?!\s))"
r"""Where a search for a pattern that may start with spaces starts: not inside a run of them.
One that would match there matches from the run's first space too (its leading ``\s*`` or
``\s+`` takes the rest), and a match before it takes the whole run, so the matches are the
same; tried at each of a run's spaces, each try scanned to the run's end: n² steps, seconds for
the 20,000 spaces a model's answer may put around the "at" of a spelt-out address."""
_MARKED_AT_RX = re.compile(_OFF_A_SPACE_RUN + _MARKED_AT, re.IGNORECASE)
_ANY_AT = re.compile(rf"{_OFF_A_SPACE_RUN}(?:{_MARKED_AT}|\s+at\s+)", re.IGNORECASE)
_SPOKEN_DOT = re.compile(rf"{_OFF_A_SPACE_RUN}\s+dot\s+", re.IGNORECASE)
_ADDRESS_MARK = re.compile(r"[._%+\d-]")
_DOTTED_NAME = re.compile(r"[a-z0-9]{2}(?:\.|\s+\.\s+|\s+dot\s+)[a-z0-9]{2}", re.IGNORECASE)
"""A name in two parts of two letters or more, with a dot between ("john.smith", "john . smith",
"john dot smith"): with it, a bare " at " before a written domain is an address's
("john.smith at gmail.com"); without it, prose ("buy 2 at amazon.com", "e.g. at amazon.com",
"I'm working at outlook.com")."""


def _spoken_address(captured: str) -> bool:
    """A spelt-out address is one only where its name is no common word ("email me @ school.com"
    is "email me at school.com"), and with a bare " at " ("tom at gmail dot com") only in an
    address's shape: the name has a dot, digit or other mark of an address's ("tom.baker",
    "tom99"), the host is a mail host, or the domain has two dots or more ("baker dot co dot
    uk"). Prose has the bare words too: "I'll be at home dot com", "look at this dot com
    bubble". A bracketed "[at]" or an "@" is an address's shape already. A bare " at " before a
    written domain ("gmail.com", "gmail . com") needs a dotted name (:data:`_DOTTED_NAME`)."""
    local, domain = _ANY_AT.split(captured, maxsplit=1)
    if local.lower() in _STOP:
        return False
    if _MARKED_AT_RX.search(captured):
        return True
    labels = _SPOKEN_DOT.split(domain)
    if len(labels) == 1:  # a written domain after a bare " at ": "it is at amazon.com" is prose
        return bool(_DOTTED_NAME.search(local))
    return (
        bool(_ADDRESS_MARK.search(local) or _SPOKEN_DOT.search(local))
        or labels[0].lower() in _MAIL_HOSTS
        or len(labels) >= 3
    )


_CODE_NAMES = frozenset(
    {
        "property",
        "dataclass",
        "staticmethod",
        "classmethod",
        "abstractmethod",
        "cached_property",
        "lru_cache",
        "cache",
        "wraps",
        "overload",
        "override",
        "final",
        "total_ordering",
        "contextmanager",
        "deprecated",
        "fixture",
        "patch",
        "test",
        "before",
        "after",
        "beforeeach",
        "aftereach",
        "beforeall",
        "afterall",
        "autowired",
        "component",
        "service",
        "controller",
        "restcontroller",
        "entity",
        "bean",
        "injectable",
        "input",
        "output",
        "ngmodule",
        "suppresswarnings",
        "functionalinterface",
        "nullable",
        "nonnull",
        "param",
        "return",
        "returns",
        "throws",
        "media",
        "import",
        "keyframes",
    }
)
"""Decorators and annotations of Python, Java, TypeScript and CSS at-rules a child's coding
question brings up: "@property" is a getter, not an account."""
_CODE_AFTER = re.compile(
    r"\(|[ \t]*\r?\n[ \t]*(?:def|class|async|public|private|protected|static|function|fun|"
    r"export|@)\b"
)


def _is_decorator(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` ("@name") is code: a known decorator name, called ("@lru_cache(2)"),
    or on its own line above a definition ("@Override" over "public ...")."""
    return text[start + 1 : end].lower() in _CODE_NAMES or bool(_CODE_AFTER.match(text, end))


_SPELT_AT = re.compile(
    rf"{_OFF_A_SPACE_RUN}\s*(?:[\[({{<]\s*at\s*[\])}}>]|\sat\s|@)\s*", re.IGNORECASE
)
_SPELT_DOT = re.compile(
    rf"{_OFF_A_SPACE_RUN}\s*(?:[\[({{<]\s*dot\s*[\])}}>]|\sdot\s|\s\.\s)\s*", re.IGNORECASE
)


def spelt_out_email(text: str) -> str:
    """'tom [at] gmail [dot] com' as the address it spells, 'tom@gmail.com' (every spelt-out
    "at" and "dot" in ``text`` replaced, and the spaces around an "@" or a spaced " . " dropped:
    a prompt may hold one before the address)."""
    return _SPELT_DOT.sub(".", _SPELT_AT.sub("@", text))


def _after_given_name(match: re.Match[str]) -> bool:
    """The word before the bracket is a known given name: "Lily (10)" is a child's age,
    "Chapter (10)" a heading."""
    word = match.group(0).split("(")[0].strip()
    return word.lower() in given_names()


def _drop_trailing_stop(captured: str) -> str:
    """'lily and' -> 'lily' ('my name is lily and i ...'); 'lily evans' stays."""
    words = captured.split()
    while len(words) > 1 and words[-1].lower().strip("'’") in _STOP | _NOT_SURNAME:
        words.pop()
    return captured[: captured.rfind(words[-1]) + len(words[-1])] if words else captured


def _rule_recognizer_class() -> type:
    """A Presidio recognizer running :data:`RULES` (built lazily: Presidio is imported late)."""
    presidio.load()
    from presidio_analyzer import LocalRecognizer, RecognizerResult

    class ChildPersonalDataRecognizer(LocalRecognizer):  # type: ignore[misc]
        """Names, addresses, schools, ages and handles without an NER model."""

        def __init__(self) -> None:
            super().__init__(
                supported_entities=sorted({r.entity for r in RULES}),
                name="ChildPersonalDataRecognizer",
                supported_language="en",
            )

        def load(self) -> None:
            """Nothing to load: the rules are regular expressions."""

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            results = []
            for rule in RULES:
                if entities and rule.entity not in entities:
                    continue
                for match in rule.pattern.finditer(text):
                    group = 1 if match.re.groups else 0
                    captured = match.group(group).rstrip(" ,")
                    if rule.check == "not_stop" and rule.entity == "PERSON":
                        captured = _drop_trailing_stop(captured)
                    if not _passes(rule, captured):
                        continue
                    start = match.start(group)
                    if rule.check == "not_code" and _is_decorator(text, start, match.end(group)):
                        continue
                    if rule.check == "after_given_name" and not _after_given_name(match):
                        continue
                    if rule.check == "not_after_code" and _named_as_code(text, start):
                        continue
                    results.append(
                        RecognizerResult(rule.entity, start, start + len(captured), rule.score)
                    )
            return results

    return ChildPersonalDataRecognizer


def _case_blind_iban_recognizer() -> Any:
    """Presidio's IBAN recognizer in any case: "gb82 west 1234 5698 7654 32" is the same account
    as in capitals, and its checksum and country format are checked on the capitals (Presidio
    matched capitals only, so a lower-case IBAN was no leak)."""
    presidio.load()
    import regex
    from presidio_analyzer.predefined_recognizers import IbanRecognizer

    class CaseBlindIbanRecognizer(IbanRecognizer):  # type: ignore[misc]
        def validate_result(self, pattern_text: str) -> bool | None:
            return super().validate_result(pattern_text.upper())  # type: ignore[no-any-return]

    return CaseBlindIbanRecognizer(regex_flags=regex.DOTALL | regex.MULTILINE | regex.IGNORECASE)


def _build_analyzer() -> Any:
    presidio.load()
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        CryptoRecognizer,
        IpRecognizer,
        NhsRecognizer,
        PhoneRecognizer,
        UkNinoRecognizer,
        UkPostcodeRecognizer,
        UsSsnRecognizer,
    )

    class BlankSpacyEngine(SpacyNlpEngine):  # type: ignore[misc]
        """A tokenizer-only English pipeline: no model to download, no NER."""

        def load(self) -> None:
            nlp = spacy.blank("en")
            # spaCy refuses texts over a million characters, for the memory its parser and NER
            # would take; a tokenizer alone takes memory in step with the text. An answer that
            # long was a ValueError: no score, no stored copy, its data left out of the rate.
            nlp.max_length = sys.maxsize
            self.nlp = {"en": nlp}  # type: ignore[assignment]

        def process_text(self, text: str, language: str) -> Any:
            """Tokens of :func:`context.tokenizable` (the same offsets, in linear time)."""
            return super().process_text(tokenizable(text), language)

    engine = BlankSpacyEngine(models=[{"lang_code": "en", "model_name": "blank:en"}])
    engine.load()
    recognizers = [
        email_recognizer(),
        PhoneRecognizer(supported_regions=PHONE_REGIONS),
        CreditCardRecognizer(),
        _case_blind_iban_recognizer(),
        IpRecognizer(),
        url_recognizer(),
        UkPostcodeRecognizer(),
        NhsRecognizer(),
        UkNinoRecognizer(),
        UsSsnRecognizer(),
        CryptoRecognizer(),
        _rule_recognizer_class()(),
    ]
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
    return AnalyzerEngine(
        nlp_engine=engine,
        registry=registry,
        supported_languages=["en"],
        context_aware_enhancer=context_enhancer(),
    )


_lock = threading.Lock()


@cache
def _analyzer() -> Any:
    return _build_analyzer()


def analyzer() -> Any:
    """The process-wide Presidio analyzer (built on first use, about half a second)."""
    with _lock:
        return _analyzer()


def presidio_version() -> str:
    from importlib.metadata import version

    return version("presidio-analyzer")


MIN_PHONE_DIGITS = 7
"""libphonenumber accepts short numbers ('1687' as a phone number in some regions); a phone
number a child could be reached on has at least seven digits."""

PHONE_MIN_SCORE = 0.4
"""The phone recognizer scores a valid number 0.4 (no NER model to raise it), so a phone number
counts from 0.4 whatever ``min_score`` says: for the pii scorer and for redaction alike, so
what the scorer reports is what the stored copy loses."""

_DECIMAL = re.compile(r"(?:0|[1-9]\d{0,2})[.,]\d+")
"""A number with a decimal fraction, as libphonenumber may take it ('2.7182818284')."""


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _is_phone(text: str, start: int, end: int) -> bool:
    """A phone number's span that is one: seven digits or more, none of them a decimal
    fraction's ('3.1415926535': pi to ten places, whose fraction libphonenumber reads as a
    number, with the next number's first digit after a space)."""
    found = text[start:end]
    if _DECIMAL.fullmatch(found):
        return False
    if start >= 2 and text[start - 1] in ".," and text[start - 2].isdigit():
        found = found.lstrip("0123456789")  # the fraction of the number before
    return _digits(found) >= MIN_PHONE_DIGITS


def _non_overlapping(spans: list[Span], text: str) -> list[Span]:
    """Keep the strongest of overlapping spans (then the longest): an e-mail address is not
    also a URL, a full name is not also a given name. A weaker span that runs past a stronger
    one keeps its parts outside it ("I live at 14 Elm Road, Leeds, mail tom@x.org" keeps the
    address when the e-mail address takes its end).

    What is kept is marked character by character, so each span costs its own length, not the
    number of spans kept before it (a pairwise check took half a minute on 5,000 names)."""
    kept: list[Span] = []
    taken = bytearray(len(text))
    for span in sorted(spans, key=lambda s: (-s.score, -(s.end - s.start), s.start)):
        pieces = []
        start = taken.find(0, span.start, span.end)
        while start != -1:
            end = taken.find(1, start, span.end)
            end = span.end if end == -1 else end
            pieces.append((start, end))
            start = taken.find(0, end, span.end)
        for start, end in pieces:
            piece = text[start:end]
            lead = len(piece) - len(piece.lstrip(" ,;:"))
            trail = len(piece) - len(piece.rstrip(" ,;:"))
            start, end = start + lead, end - trail
            if (start, end) == (span.start, span.end):
                kept.append(span)
            elif end - start >= 3 and (end - start) * 2 >= span.end - span.start - 1:
                kept.append(Span(span.type, start, end, span.score, text[start:end]))
            else:
                continue
            taken[start:end] = b"\x01" * (end - start)
    return sorted(kept, key=lambda s: s.start)


def find_pii(
    text: str,
    *,
    entities: list[str] | None = None,
    min_score: float = 0.0,
    allow: tuple[str, ...] = HELPLINES,
) -> list[Span]:
    """Personal data in ``text``, non-overlapping, in order; each span at least ``min_score``
    (a phone number at least :data:`PHONE_MIN_SCORE`, or ``min_score`` where lower).

    Found on the text as a person reads it (:func:`reading.read`: full-width forms folded,
    zero-width and other invisible characters removed, digits spelt out or written as letters
    read as digits ...), each span in ``text``'s own offsets, covering whatever was folded,
    rewritten or removed inside it."""
    folded = read(text)
    floor = min(min_score, PHONE_MIN_SCORE)
    spans = [
        s
        for s in _find(folded.text, entities, floor, allow)
        if s.score >= min_score or (s.type == "PHONE_NUMBER" and s.score >= floor)
    ]
    if not folded.changed:
        return spans
    out = []
    for span in spans:
        start, end = folded.to_original(span.start, span.end)
        out.append(Span(span.type, start, end, span.score, text[start:end]))
    return out


def _find(
    text: str, entities: list[str] | None, min_score: float, allow: tuple[str, ...]
) -> list[Span]:
    if not text or not text.strip():
        return []
    results = analyzer().analyze(
        text,
        language="en",
        entities=entities or None,
        allow_list=list(allow),
        score_threshold=min_score,
    )
    spans = [
        Span(r.entity_type, r.start, r.end, float(r.score), text[r.start : r.end])
        for r in results
        if r.entity_type in ENTITY_TITLES
        and r.end > r.start
        and (r.entity_type != "PHONE_NUMBER" or _is_phone(text, r.start, r.end))
    ]
    spans = [_ssn_not_phone(s) for s in spans if not _named_otherwise(s, text)]
    return _non_overlapping(_no_nhs_in_phones(spans, text), text)


_SSN_SHAPE = re.compile(r"\d{3}-\d{2}-\d{4}")
SSN_SCORE = 0.5
"""Presidio's score for a social security number in its dashed shape (``UsSsnRecognizer``)."""


def _ssn_not_phone(span: Span) -> Span:
    """A "phone number" written 3-2-4 with dashes ("078-05-1120") is a US social security
    number: no phone number is grouped so. Presidio's SSN recognizer leaves out numbers it knows
    were published (078-05-1120 was printed on a wallet insert) and libphonenumber then took it
    for a phone number; a model repeating it still writes out an SSN."""
    if span.type == "PHONE_NUMBER" and _SSN_SHAPE.fullmatch(span.text):
        return Span("US_SSN", span.start, span.end, max(span.score, SSN_SCORE), span.text)
    return span


_REFERENCE_CUE = (
    r"\b(?:order|ref|reference|tracking|invoice|booking|ticket|transaction|confirmation)"
    r"(?:\s+(?:no\.?|number|num|id|code|ref|reference))?"
)
_VERSION_CUE = r"\b(?:version|ver\.?|v|release|build|firmware|update|upgrade|patch)"
NAMED_OTHERWISE: dict[str, re.Pattern[str]] = {
    kind: re.compile(rf"{cue}(?:\s*(?:is|:|#))?\s*$", re.IGNORECASE)
    for kinds, cue in (
        (("PHONE_NUMBER", "UK_NHS"), _REFERENCE_CUE),
        (("IP_ADDRESS",), _VERSION_CUE),
    )
    for kind in kinds
}
"""Words just before a number that say what it is, and it is not this type: "order number
1234567890" (ten digits read as a phone number, or an NHS number where they pass its checksum,
one in eleven), "version 2.0.0.1" (four numbers read as an IP address). An IP address without
such a word is still one: "my IP is 192.168.1.20"."""
_CUE_WINDOW = 48


def _named_otherwise(span: Span, text: str) -> bool:
    cue = NAMED_OTHERWISE.get(span.type)
    return bool(cue and cue.search(text, max(0, span.start - _CUE_WINDOW), span.start))


def _no_nhs_in_phones(spans: list[Span], text: str) -> list[Span]:
    """Without NHS numbers inside a phone number written with its country code ('+1 415 555
    2671': one in eleven ten-digit numbers passes the NHS checksum, whose 1.0 beat the phone's
    0.4, so a gate on phone numbers missed it). An NHS number has no country code."""
    international = bytearray(len(text))
    for span in spans:
        if span.type == "PHONE_NUMBER" and span.text.startswith("+"):
            international[span.start : span.end] = b"\x01" * (span.end - span.start)
    return [s for s in spans if s.type != "UK_NHS" or not international[s.start]]
