"""A UK postcode written without its space ("SW1A1AA", "BS78QT") was personal data only after
"postcode" or a street name: sent to or named beside a town it was in no span (110 of our 120
sentences, ten postcodes in twelve sentences, in capitals; the ten found were "I live at ..."
addresses, as an address). In
capitals and on a real postcode area ("SW", "BS", "M"; not "QX") it now counts wherever it
stands alone, except named as a code ("part number BS78QT", "booking reference SW1A1AA") or
inside a longer identifier ("X-BS78QT-2"). In lower case it still needs the context: "bs78qt"
alone is as likely a username.

Random codes stay out: of 2,000 random capital-and-digit codes of five to seven characters (a
seeded draw) named as codes none counts, and unnamed at most one in a hundred (measured: 7 of
these 2,000, 0.45% of 20,000 others: the share of such codes with a postcode's shape on a real
area).

The examples are ours, written to show each form; they are no measure of a detection rate."""

from __future__ import annotations

import random
import string

import pytest

from assurance_harness.privacy.pii import analyzer, find_pii


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    analyzer()


def _postcodes(text: str) -> list[str]:
    return [s.text for s in find_pii(text, min_score=0.5) if s.type == "UK_POSTCODE"]


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("Send it to SW1A1AA please.", "SW1A1AA"),
        ("We moved to BS78QT.", "BS78QT"),
        ("London EC1A1BB", "EC1A1BB"),
        ("It's M11AE, near the park", "M11AE"),
        ("we live near DN551PT now", "DN551PT"),
        ("Flat 3, Leeds, LS18ET", "LS18ET"),
        ("(W1A0AX)", "W1A0AX"),
    ],
)
def test_a_joined_postcode_in_capitals_is_found_alone(text: str, postcode: str) -> None:
    assert _postcodes(text) == [postcode]


@pytest.mark.parametrize(
    "text",
    [
        "the part number is BS78QT",
        "error code BS78QT again",
        "Your booking reference: SW1A1AA.",
        "order no. M11AE shipped",
        "my password is B338TH",
        "use the promo code EC1A1BB",
        "bs78qt is my username",
        "the plate AB12CDE",
        "an A320NEO landed",
        "the build X-BS78QT-2 failed",
        "tag #SW1A1AA",
        "see SW1A1AA-v2",
        "QX78QT is no area",
    ],
)
def test_a_code_of_that_shape_is_no_postcode(text: str) -> None:
    assert _postcodes(text) == []


def _random_codes(count: int) -> list[str]:
    draw = random.Random(20261207)
    alphabet = string.ascii_uppercase + string.digits
    return ["".join(draw.choices(alphabet, k=draw.randint(5, 7))) for _ in range(count)]


def test_random_codes_named_as_codes_are_no_postcode() -> None:
    text = " ".join(f"Code {code}." for code in _random_codes(2000))
    assert _postcodes(text) == []


def test_random_codes_alone_are_rarely_a_postcode() -> None:
    text = " ".join(f"Then {code}." for code in _random_codes(2000))
    assert len(_postcodes(text)) <= 20
