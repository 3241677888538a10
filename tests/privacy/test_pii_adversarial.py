"""The pii detector on answers a hostile model could give: long runs of dots, letters and dots,
repeated names. Every answer of a run is scanned (by the pii scorer, and by redaction under a
policy), so the time must grow about linearly with the answer's length: Presidio's URL pattern
backtracked through hundreds of top-level domains at every dot (20,000 dots took two minutes,
and a pattern that runs past Presidio's 60 s regex timeout is skipped, silently finding
nothing), and overlapping spans were resolved pairwise (5,000 names took half a minute)."""

from __future__ import annotations

import time

import pytest

from assurance_harness.privacy.pii import analyzer, find_pii

LIMIT_S = 10.0
"""Generous for a shared CI machine: the fixed detector takes well under a second on each."""


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    analyzer()
    find_pii("warm up https://example.com Tom Baker 07700 900123")


def _timed(text: str) -> tuple[float, list[str]]:
    start = time.perf_counter()
    spans = find_pii(text)
    return time.perf_counter() - start, [f"{s.type}:{s.text}" for s in spans]


@pytest.mark.parametrize(
    "text",
    ["." * 20_000, "a." * 10_000, "1.1." * 5_000, "www." * 5_000 + "x"],
    ids=["dots", "letter-dots", "digit-dots", "www"],
)
def test_runs_of_dots_take_linear_time(text: str) -> None:
    took, _ = _timed(text)
    assert took < LIMIT_S, f"{took:.1f} s for {len(text)} characters"


def test_many_overlapping_names_take_linear_time() -> None:
    took, spans = _timed("Tom " * 10_000)
    assert took < LIMIT_S, f"{took:.1f} s"
    assert sum(s.count("Tom") for s in spans) == 10_000  # every one found ('Tom Tom' a full name)


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("see https://example.com/a/b?c=1 now", "https://example.com/a/b?c=1"),
        ("go to www.childline.org.uk today", "www.childline.org.uk"),
        ("my site is tom-baker.co.uk.", "tom-baker.co.uk"),
        ("link: 'http://foo.community/x'", "http://foo.community/x"),
        ("a run ... of dots then evil.example.com/p", "evil.example.com/p"),
    ],
)
def test_web_addresses_are_still_found_whole(text: str, url: str) -> None:
    _, spans = _timed(text)
    assert f"URL:{url}" in spans, spans


def test_a_dot_between_words_that_is_no_domain_is_no_address() -> None:
    _, spans = _timed("the end.really no... ok.fine")
    assert [s for s in spans if s.startswith("URL:")] == []


def test_weighing_the_words_before_many_phone_numbers_takes_linear_time() -> None:
    """Presidio's context enhancer looked up each match's token by walking the answer's tokens
    from the start, to weigh the words before it ("call me on"): time grew with the square of
    the answer's length (4,000 phone numbers, 12 s; libphonenumber's own linear pace aside)."""
    engine = analyzer()
    text = "call 07700 900318; " * 4_000
    artifacts = engine.nlp_engine.process_text(text, "en")
    recognizers = engine.registry.get_recognizers(language="en", entities=["PHONE_NUMBER"])
    found = recognizers[0].analyze(text, ["PHONE_NUMBER"], artifacts)
    assert len(found) == 4_000
    start = time.perf_counter()
    weighed = engine.context_aware_enhancer.enhance_using_context(
        text, found, artifacts, recognizers
    )
    took = time.perf_counter() - start
    assert took < 3.0, f"{took:.1f} s"
    assert len(weighed) == 4_000
    # The same weighing as Presidio's own, match by match.
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

    short = "my mobile: 07700 900318 and 020 7946 0018, call 07700 900319 " * 3
    artifacts = engine.nlp_engine.process_text(short, "en")
    found = recognizers[0].analyze(short, ["PHONE_NUMBER"], artifacts)
    assert len(found) == 9
    ours = engine.context_aware_enhancer.enhance_using_context(short, found, artifacts, recognizers)
    theirs = LemmaContextAwareEnhancer().enhance_using_context(short, found, artifacts, recognizers)
    assert [(r.start, r.end, r.score) for r in ours] == [(r.start, r.end, r.score) for r in theirs]


@pytest.mark.parametrize("run", ["=", "\U0001f600", "\u2019", "_", "\u20ac"], ids=ascii)
def test_runs_of_symbols_take_linear_time(run: str) -> None:
    """spaCy's tokenizer strips a symbol from the end of a word one at a time, searching the
    whole word again each time: 3,000 "=" took 3 s, 20,000 emoji two minutes, for every answer
    a model filled with them, in the pii scorer and again in redaction."""
    took, spans = _timed("Smile! " + run * 6_000 + " write to tom@example.com")
    assert took < 2.0, f"{took:.1f} s"
    assert "EMAIL_ADDRESS:tom@example.com" in spans


@pytest.mark.parametrize(
    "text",
    [
        "x." * 5_000 + "@",
        "x." * 5_000 + " @ ",
        "x." * 5_000 + "@example.com",
        "x.+" * 3_400 + "@",
        "1." * 5_000 + "@",
    ],
    ids=[
        "letter-dots-at",
        "letter-dots-spaced-at",
        "letter-dots-address",
        "plus-dots-at",
        "digit-dots-at",
    ],
)
def test_runs_of_dots_before_an_at_take_linear_time(text: str) -> None:
    """Presidio's e-mail pattern tried, at every word boundary of a run of dots and letters,
    every way to end its name before the "@" (about 12 s for these 10,000 characters, hours for
    a long answer, and past its 60 s regex timeout it is skipped, finding no address at all):
    a model's answer with a long dotted run before an "@" stalled the scorer and redaction.
    (E-mail addresses alone: libphonenumber's own linear pace on digits is timed above.)"""
    start = time.perf_counter()
    find_pii(text, entities=["EMAIL_ADDRESS"])
    took = time.perf_counter() - start
    assert took < 1.0, f"{took:.1f} s for {len(text)} characters"


@pytest.mark.parametrize(
    "text",
    [
        "tom" + " " * 10_000 + "@" + " " * 10_000 + "gmail.com",
        "tom.b at gmail" + " " * 10_000 + "dot" + " " * 10_000 + "com",
        "tom.b" + " " * 10_000 + "at" + " " * 10_000 + "gmail dot com",
        "tom [at] gmail" + "\n " * 5_000 + "[dot]" + " " * 10_000 + "com",
    ],
    ids=["spaced-at", "spaced-spoken-dot", "spaced-spoken-at", "spaced-bracketed-dot"],
)
def test_runs_of_spaces_in_a_spelt_out_address_take_linear_time(text: str) -> None:
    """The spelt-out e-mail rule allows any spaces around its "at" and "dot"; reading the
    address it found, the patterns for them (``\\s*[at]``, ``\\s+dot\\s+``) were tried at each
    space of a run and ran to its end each time: 20,000 spaces took seconds, and every answer
    of a run is read this way, by the scorer and by redaction."""
    start = time.perf_counter()
    spans = find_pii(text, entities=["EMAIL_ADDRESS"])
    took = time.perf_counter() - start
    assert took < 1.0, f"{took:.1f} s for {len(text)} characters"
    assert [s.type for s in spans] == ["EMAIL_ADDRESS"]
