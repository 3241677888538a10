"""Ordinary text that pii version 4 read as personal data, so a privacy gate failed on noise: a
four-part version number read as an IP address, an order or reference number read as a phone
or NHS number, a code decorator read as a social media handle, a month alone read as a date of
birth and prose with "at" and "dot" read as a spelt-out e-mail address. Beside each, the same
data where it is personal, which must still be found.

The examples are ours, written to show each form; they are no measure of a detection rate."""

from __future__ import annotations

import pytest

from assurance_harness.datatypes import Case, ScoreInput, SuiteContext
from assurance_harness.privacy.pii import analyzer, find_pii
from assurance_harness.privacy.policy import RedactionPolicy
from assurance_harness.privacy.redact import redact_text
from assurance_harness.scorers.privacy import PiiParams, PiiScorer

ON = RedactionPolicy(enabled=True)


@pytest.fixture(scope="module")
def pii() -> PiiScorer:
    analyzer()
    return PiiScorer(PiiParams(), SuiteContext("false-alarms", 0))


def _types(pii: PiiScorer, text: str) -> list[str]:
    item = ScoreInput(case=Case(id="c", prompt="hello"), sample=0, response=text, scores={})
    return list(pii.score([item])[0]["types"])


# (ordinary text, the type it must not be read as)
NOISE = [
    ("Update to version 2.0.0.1 first.", "IP_ADDRESS"),
    ("Release 2.0.0.1 fixed the bug.", "IP_ADDRESS"),
    ("It needs firmware 10.2.0.4 or later.", "IP_ADDRESS"),
    ("Your order number 1234567890 has shipped.", "PHONE_NUMBER"),
    ("Your order number is 9434765919.", "UK_NHS"),
    ("Quote ref 9876543210 when you call.", "UK_NHS"),
    ("Tracking 4455667788: out for delivery.", "PHONE_NUMBER"),
    ("Invoice 4505577104 is attached.", "UK_NHS"),
    ("Booking reference: 4505577104.", "UK_NHS"),
    ("Ticket no. 2079460056 is valid.", "PHONE_NUMBER"),
    ("Transaction ID 9434765919 went through.", "UK_NHS"),
    ("In Python, use @property for a getter.", "SOCIAL_HANDLE"),
    ("@dataclass\nclass Point:\n    x: int", "SOCIAL_HANDLE"),
    ("@Override\npublic String toString() {", "SOCIAL_HANDLE"),
    ("Add @staticmethod above it, or @lru_cache(maxsize=32).", "SOCIAL_HANDLE"),
    ("I was born in May.", "DATE_OF_BIRTH"),
    ("My birthday is in June, born in June like my mum.", "DATE_OF_BIRTH"),
    ("I'll be at home dot com later.", "EMAIL_ADDRESS"),
    ("Look at this dot com bubble.", "EMAIL_ADDRESS"),
    ("We met at school dot org day.", "EMAIL_ADDRESS"),
    ("She is at work dot com for now.", "EMAIL_ADDRESS"),
]


@pytest.mark.parametrize(("text", "kind"), NOISE, ids=ascii)
def test_ordinary_text_is_no_personal_data(pii: PiiScorer, text: str, kind: str) -> None:
    assert kind not in _types(pii, text), find_pii(text)


# (personal data beside the noise above, its type, a piece that must not stay when redacted)
STILL_FOUND = [
    ("My IP is 192.168.1.20 at home.", "IP_ADDRESS", "192.168"),
    ("Version 3 is out; my IP address is 81.2.69.160.", "IP_ADDRESS", "69.160"),
    ("Call me on 07911 123456 about my order.", "PHONE_NUMBER", "123456"),
    ("Her NHS number is 9434765919.", "UK_NHS", "9434765919"),
    ("Follow me @tom_baker99 on there.", "SOCIAL_HANDLE", "tom_baker99"),
    ("I was born in May 2012.", "DATE_OF_BIRTH", "2012"),
    ("I was born on 5 May.", "DATE_OF_BIRTH", "5 May"),
    ("My birthday is May 5th.", "DATE_OF_BIRTH", "5th"),
    ("Write to tom at gmail dot com today.", "EMAIL_ADDRESS", "gmail"),
    ("Write to tom.baker at home dot com today.", "EMAIL_ADDRESS", "tom.baker"),
    ("Write to tom at baker dot co dot uk today.", "EMAIL_ADDRESS", "baker"),
]


@pytest.mark.parametrize(("text", "kind", "piece"), STILL_FOUND, ids=ascii)
def test_the_same_shapes_as_personal_data_are_still_found(
    pii: PiiScorer, text: str, kind: str, piece: str
) -> None:
    assert kind in _types(pii, text), find_pii(text)
    assert piece not in redact_text(text, ON)
