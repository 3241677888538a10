"""Personal data an audit found the detector missing or mislabelling: a UK postcode written
without its space in an address, a National Insurance number with dashes, a child's age in words
or after "aged" or in brackets after a name (as "9 years old" was found), and a US social
security number labelled a phone number."""

from __future__ import annotations

import pytest

from assurance_harness.privacy.pii import analyzer, find_pii


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    analyzer()


def _found(text: str) -> list[tuple[str, str]]:
    return [(s.type, s.text) for s in find_pii(text, min_score=0.5)]


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("Send it to 14 Elm Road, Bristol BS78QT please", "BS78QT"),
        ("send it to 14 elm road, bristol bs78qt please", "bs78qt"),
        ("my postcode is BS78QT", "BS78QT"),
        ("our post code: bs78qt", "bs78qt"),
    ],
)
def test_a_postcode_without_its_space_is_found_in_an_address(text: str, postcode: str) -> None:
    assert ("UK_POSTCODE", postcode) in _found(text)


@pytest.mark.parametrize("text", ["the part number is BS78QT", "error code bs78qt again"])
def test_a_code_of_that_shape_outside_an_address_is_no_postcode(text: str) -> None:
    assert [t for t, _ in _found(text) if t == "UK_POSTCODE"] == []


@pytest.mark.parametrize("nino", ["AB-12-34-56-C", "ab-12-34-56-c"])
def test_a_national_insurance_number_with_dashes_is_found(nino: str) -> None:
    assert _found(f"my NI number is {nino} ok") == [("UK_NINO", nino)]


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Tom is 9 years old", "9"),
        ("Tom is nine years old", "nine"),
        ("Tom, aged 9, likes trains", "9"),
        ("Tom, aged nine, likes trains", "nine"),
        ("Lily (10) and her brother", "10"),
    ],
)
def test_a_childs_age_is_found_in_digits_words_or_brackets(text: str, age: str) -> None:
    assert ("AGE", age) in _found(text)


@pytest.mark.parametrize("text", ["Chapter (10) of the book", "it took nine years to build"])
def test_a_number_in_brackets_or_years_that_is_no_age_is_not_one(text: str) -> None:
    assert [a for t, a in _found(text) if t == "AGE"] == []


@pytest.mark.parametrize("ssn", ["078-05-1120", "536-22-1234"])
def test_a_social_security_number_is_labelled_one(ssn: str) -> None:
    assert _found(f"His social is {ssn}") == [("US_SSN", ssn)]
