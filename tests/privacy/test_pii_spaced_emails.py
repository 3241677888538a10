"""E-mail addresses written with spaces around their dots, or with the dots of the name spoken:
"john . smith @ gmail . com", "john.smith at gmail.com", "john dot smith at gmail dot com". Each
was missed, or only its end was found ("smith at gmail dot com"), so redaction left "john dot"
showing; and the name's spoken dots must not cost time in the square of the text's length."""

from __future__ import annotations

import time

import pytest

from assurance_harness.privacy.pii import RULES, analyzer, find_pii

LIMIT_S = 10.0
"""For the whole detector on a shared CI machine (Presidio, the tokenizer and libphonenumber
take about a second on these texts by themselves); the e-mail rule alone must be far quicker."""


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    analyzer()


@pytest.mark.parametrize(
    "address",
    [
        "john . smith @ gmail . com",
        "john.smith at gmail.com",
        "john . smith at gmail . com",
        "john dot smith at gmail dot com",
        "john dot smith @ gmail dot co dot uk",
    ],
)
def test_the_whole_address_is_found(address: str) -> None:
    spans = find_pii(f"you can mail {address} tonight")
    assert [(s.type, s.text) for s in spans] == [("EMAIL_ADDRESS", address)]


@pytest.mark.parametrize(
    "text",
    [
        "it is at amazon.com",
        "buy 2 at amazon.com",
        "e.g. at amazon.com",
        "I'm working at outlook.com",
        "look at this dot com bubble",
        "connect the dot at home . Then go",
        "the end . see you at school . bye",
    ],
)
def test_prose_with_a_bare_at_is_no_address(text: str) -> None:
    assert [s.text for s in find_pii(text) if s.type == "EMAIL_ADDRESS"] == []


def test_an_address_before_a_full_stop_keeps_its_domain() -> None:
    spans = find_pii("write to tom @ gmail.com. See you")
    assert [(s.type, s.text) for s in spans] == [("EMAIL_ADDRESS", "tom @ gmail.com")]


@pytest.mark.parametrize(
    "text",
    ["a dot " * 20_000, "a . " * 20_000, "a dot " * 20_000 + "a at gmail dot com"],
    ids=["spoken-dots", "spaced-dots", "spoken-dots-then-address"],
)
def test_runs_of_spoken_dots_take_linear_time(text: str) -> None:
    rules = [r.pattern for r in RULES if r.entity == "EMAIL_ADDRESS"]
    start = time.perf_counter()
    for rule in rules:
        list(rule.finditer(text))
    took = time.perf_counter() - start
    assert took < 0.5, f"the e-mail rule: {took:.2f} s for {len(text)} characters"
    start = time.perf_counter()
    find_pii(text)
    took = time.perf_counter() - start
    assert took < LIMIT_S, f"{took:.2f} s for {len(text)} characters"
