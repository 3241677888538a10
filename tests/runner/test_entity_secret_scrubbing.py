"""A key echoed as HTML character references (an endpoint's HTML error page, an XML- or
HTML-escaping proxy: ``&#115;&#107;&#45;...``, ``&#x73;&#x6B;...``, or only some characters
escaped, ``sk&#45;proj&#x2D;...``, ``&amp;`` for a key's ``&``), or written backwards (a model
asked to repeat it reversed), never reaches a file or the console, whole or in part.

The scrubber looked for the key as written and in its encoded spellings (JSON escapes,
percent-encoding, base64, hex): a key every character of which is a character reference holds
none of its own characters, one with its hyphens escaped no sixteen of them together, and a
reversed one no run of the key either; each was kept whole. Here each is scrubbed directly, and
a real server on 127.0.0.1 echoes the key it was sent in an HTML 401 page and, reversed, in an
answer; the executor's record (what the journal, the cache, the reports and the console are
written from) is searched.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable

import pytest
from aiohttp import web

from assurance_harness.datatypes import ResponseRecord
from assurance_harness.scrub import REDACTED, scrub, scrub_answer
from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

from ..testing.openai_stub import send_once, serve

KEY = "sk-proj-Qw81Er73-Ty62Ui54-Op09Zx"
AMP_KEY = "pw&Qw81<Er73>Ty62&Ui54\"Op09'Zx"
"""A key holding the characters HTML escapes by name (``&amp;``, ``&lt;``, ``&quot;``...)."""


def _each(key: str, reference: Callable[[int], str], which: Callable[[int, str], bool]) -> str:
    """``key`` with each character ``which`` picks (by index and character) as ``reference``
    writes its code point."""
    return "".join(reference(ord(c)) if which(i, c) else c for i, c in enumerate(key))


def _every(i: int, c: str) -> bool:
    return True


ESCAPES: dict[str, Callable[[str], str]] = {
    "decimal": lambda k: _each(k, lambda n: f"&#{n};", _every),
    "decimal-zeros": lambda k: _each(k, lambda n: f"&#{n:05d};", _every),
    "hex": lambda k: _each(k, lambda n: f"&#x{n:x};", _every),
    "hex-upper": lambda k: _each(k, lambda n: f"&#X{n:X};", _every),
    "hex-mixed-case": lambda k: _each(k, lambda n: f"&#x{n:X};", _every),
    "hex-zeros": lambda k: _each(k, lambda n: f"&#x{n:04x};", _every),
    "punctuation": lambda k: _each(k, lambda n: f"&#{n};", lambda i, c: not c.isalnum()),
    "punctuation-mixed": lambda k: _each(
        k, lambda n: f"&#{n};" if n % 2 else f"&#x{n:X};", lambda i, c: not c.isalnum()
    ),
    "every-third": lambda k: _each(k, lambda n: f"&#x{n:x};", lambda i, c: i % 3 == 0),
    "html.escape": html.escape,
}


def _echoes(key: str) -> dict[str, str]:
    """``key`` escaped each way, whole and cut (its first characters, its last): each cut is
    escaped after cutting, so all of it is the key's."""
    cuts = {"": key, " tail": key[len(key) // 3 :], " front": key[: 2 * len(key) // 3]}
    return {f"{name}{cut}": f(part) for name, f in ESCAPES.items() for cut, part in cuts.items()}


@pytest.mark.parametrize("key", [KEY, AMP_KEY], ids=["key", "amp-key"])
@pytest.mark.parametrize("echo", list(_echoes(KEY)))
def test_scrub_redacts_a_key_echoed_as_character_references(key: str, echo: str) -> None:
    echoed = _echoes(key)[echo]
    for scrubber in (scrub, scrub_answer):
        out = scrubber(f"<p>Incorrect API key: {echoed}</p> (check it)", [key])
        assert out == f"<p>Incorrect API key: {REDACTED}</p> (check it)", (echoed, out)


@pytest.mark.parametrize("key", [KEY, AMP_KEY], ids=["key", "amp-key"])
@pytest.mark.parametrize("escape", ["decimal", "hex-upper", "punctuation", "html.escape"])
@pytest.mark.parametrize("cut", [slice(None), slice(10, None)], ids=["whole", "tail"])
def test_scrub_redacts_a_key_whose_references_were_escaped_again(
    key: str, escape: str, cut: slice
) -> None:
    """HTML escaped twice (a page quoting an escaped body): ``&amp;#115;`` for ``&#115;``."""
    echoed = html.escape(ESCAPES[escape](key[cut]))
    assert html.unescape(html.unescape(echoed)) == key[cut]
    for scrubber in (scrub, scrub_answer):
        out = scrubber(f"<pre>{echoed}</pre>", [key])
        assert out == f"<pre>{REDACTED}</pre>", (echoed, out)


def test_a_key_and_its_references_beside_each_other_are_each_redacted() -> None:
    escaped = ESCAPES["hex"](KEY)
    out = scrub(f"sent {KEY}, echoed {escaped}; prefix {escaped[:80]}xyz end", [KEY])
    assert out == f"sent {REDACTED}, echoed {REDACTED}; prefix {REDACTED} end", out


def test_references_read_as_nothing_inside_a_key_do_not_split_it() -> None:
    """HTML reads ``&#1;`` as nothing: the key around it is one key, redacted with it."""
    escaped = ESCAPES["hex"](KEY)
    text = f"a &#1;{escaped[:30]}&#1;&#x1;{escaped[30:]}&#1; b"
    assert html.unescape(text) == f"a {KEY} b"
    assert scrub(text, [KEY]) == f"a &#1;{REDACTED}&#1; b"


@pytest.mark.parametrize(
    "text",
    [
        "It&#39;s &quot;fine&quot; &amp; dandy &#8212; &lt;b&gt;ok&lt;/b&gt; &#x27;q&#x27;",
        "R&D and Q&A &copy; 2024 &nbsp;&nbsp;a&b;c &#; &#x; &amp &#0; &#xFFFFFFFF; &#99999999;",
        "&#115;&#107;&#45; is how sk- keys start, &#x73;&#x6B;&#x5F; how sk_ ones do",
        "Qw81 Er73 Ty62 in &lt;tags&gt; and 18wQ-jorp-ks backwards (too short)",
        "R&amp;D &amp;amp; &amp;#39;s &amp;copy; &amp;#x2D; &amp;&amp;#45;&#45;&amp;",
    ],
    ids=["prose", "ampersands", "common-prefix", "short-pieces", "escaped-twice"],
)
def test_ordinary_html_escaped_text_is_returned_unchanged(text: str) -> None:
    for scrubber in (scrub, scrub_answer):
        assert scrubber(text, [KEY, AMP_KEY]) == text


REVERSALS: dict[str, Callable[[str], str]] = {
    "whole": lambda k: k[::-1],
    "upper": lambda k: k[::-1].upper(),
    "tail": lambda k: k[len(k) // 3 :][::-1],
    "front": lambda k: k[: 2 * len(k) // 3][::-1],
    "escaped": lambda k: ESCAPES["decimal"](k[::-1]),
}


@pytest.mark.parametrize("key", [KEY, AMP_KEY], ids=["key", "amp-key"])
@pytest.mark.parametrize("reversal", list(REVERSALS))
def test_scrub_redacts_a_key_written_backwards(key: str, reversal: str) -> None:
    echoed = REVERSALS[reversal](key)
    for scrubber in (scrub, scrub_answer):
        out = scrubber(f"Backwards, it reads: {echoed} (as asked)", [key])
        assert out == f"Backwards, it reads: {REDACTED} (as asked)", (echoed, out)


def test_a_key_written_backwards_and_wrapped_is_redacted() -> None:
    backwards = KEY[::-1]
    out = scrub(f"reads:\n    {backwards[:12]}\n    {backwards[12:]}\nend", [KEY])
    assert out == f"reads:\n    {REDACTED}\nend", out


def _record(answer_status: int, monkeypatch: pytest.MonkeyPatch) -> ResponseRecord:
    """One request to a real server on 127.0.0.1 that repeats the request's key: as decimal
    character references in an HTML error page (``answer_status`` other than 200), or
    reversed in an answer; its record."""
    monkeypatch.setenv("ENTITY_TEST_KEY", KEY)

    async def echo(request: web.Request) -> web.Response:
        key = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if answer_status == 200:
            text = f"Reversed, as asked: {key[::-1]}"
            return web.json_response({"choices": [{"message": {"content": text}}], "model": "m"})
        page = f"<html><body><h1>Unauthorized</h1><p>Bad key {ESCAPES['decimal'](key)}</p>"
        return web.Response(status=answer_status, text=page, content_type="text/html")

    async def main() -> ResponseRecord:
        async with serve(echo) as (url, _):
            spec = OpenAISpec(base_url=url + "/v1", model="m", api_key_env="ENTITY_TEST_KEY")
            return await send_once(OpenAITarget(spec))

    return asyncio.run(main())


def _holds_key(text: str) -> bool:
    """Whether ``text``, its references read and either way round, holds eight characters of
    the key together."""
    readable = html.unescape(text).casefold()
    key = KEY.casefold()
    pieces = [key[i : i + 8] for i in range(len(key) - 7)]
    return any(p in readable or p[::-1] in readable for p in pieces)


@pytest.mark.parametrize("status", [401, 500])
def test_a_key_echoed_in_an_html_error_page_is_not_recorded(
    monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    record = _record(status, monkeypatch)
    assert record.error is not None and "Bad key" in record.error.message, record
    assert not _holds_key(record.error.message), record.error.message


def test_a_key_written_backwards_in_an_answer_is_not_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = _record(200, monkeypatch)
    assert record.response is not None and record.response.startswith("Reversed"), record
    assert not _holds_key(record.response), record.response
