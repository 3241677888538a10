"""A key an endpoint, a proxy or a model echoes with something a reader does not see between
its characters, or in a form a reader reads as the key, never reaches a file or the console.

Each was kept, whole or all but its prefix: zero-width characters or soft hyphens between its
characters (a model or a page marking where a long word may break), HTML tags between its
pieces (``<wbr>``, ``<br>``, a highlighter's ``<span>``), its base64 wrapped in lines of 76 (a
MIME dump of the request), full-width or other compatibility forms of its letters (what NFKC
reads as the key), every character of it percent-encoded (once or twice).
"""

from __future__ import annotations

import base64
import json

import pytest

from assurance_harness.scrub import REDACTED, scrub, scrub_answer, scrub_json

KEY = "sk-proj-Ab3dEf9hIjKlMnOpQrStUvWx12"


def _scrubbed(echo: str) -> list[str]:
    """``echo`` in an error message, scrubbed each way a text is: as an error, as an answer,
    as a string of a parsed JSON answer."""
    text = f"Incorrect API key: {echo} (check it)"
    return [
        scrub(text, [KEY]),
        scrub_answer(text, [KEY]),
        scrub_json({"error": text}, [KEY])["error"],
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The model answered 42, then 3.14159 and 2026-12-08; see def f(x): return x + 1.",
        '<p>It&#39;s <b>fine</b>:<br><span class="k">sk-proj</span> keys start so.</p>',
        "https://example.com/search?q=caf%C3%A9%20au%20lait&lang=en%2Dgb 100% sure, 50%off",
        "\u4eca\u65e5\u306f\uff08\uff11\uff12\uff09\u3001\uff21\uff22\uff23\uff01 \U0001d400",
        "family \U0001f469\u200d\U0001f4bb emoji, soft\u00adhyphen, zero\u200bwidth, \ufeffBOM",
        "dGhlIHF1aWNrIGJyb3duIGZveA== is base64 of another thing: aGVsbG8gd29ybGQ=\n"
        "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4\n"
        "eHh4eHh4",
        "sk-p<wbr>roj keys, Ab3d&shy;Ef9h pieces, %73%6B%2D%70 short, \uff53\uff4b\uff0d too",
    ],
    ids=["prose", "html", "percent", "full-width", "invisible", "base64", "short-pieces"],
)
def test_ordinary_text_is_returned_unchanged(text: str) -> None:
    """What does not hold sixteen characters of the key (nor its prefix) is kept as it is,
    however it is written: ordinary HTML, URLs, CJK text, emoji joined by U+200D."""
    for scrubber in (scrub, scrub_answer):
        assert scrubber(text, [KEY]) == text


INVISIBLE = {
    "zwsp": "\u200b",
    "zwnj": "\u200c",
    "zwj": "\u200d",
    "word-joiner": "\u2060",
    "bom": "\ufeff",
    "soft-hyphen": "\u00ad",
    "&shy;": "&shy;",
    "&#8203;": "&#8203;",
    "&zwnj;": "&zwnj;",
}


@pytest.mark.parametrize("every", [1, 4], ids=["each", "every-4"])
@pytest.mark.parametrize("cut", [0, 6], ids=["whole", "front-cut"])
@pytest.mark.parametrize("mark", list(INVISIBLE))
def test_a_key_with_invisible_characters_between_its_own_is_redacted(
    mark: str, cut: int, every: int
) -> None:
    """A zero-width character or a soft hyphen (or its reference) every character or every
    few: a reader sees the key, copies it with them, and most programs drop them."""
    part = KEY[cut:]
    echo = INVISIBLE[mark].join(part[i : i + every] for i in range(0, len(part), every))
    for out in _scrubbed(echo):
        assert out == f"Incorrect API key: {REDACTED} (check it)", (echo, out)


def _pieces(value: str, size: int, between: str) -> str:
    return between.join(value[i : i + size] for i in range(0, len(value), size))


TAGGED = {
    "br-front-cut": (_pieces(KEY[6:], 8, "<br>"), "{}"),
    "br-newline": (_pieces(KEY, 8, "<br />\n"), "{}"),
    "wbr": ("<p>" + _pieces(KEY, 6, "<wbr>") + "</p>", "<p>{}</p>"),
    "span": ("<span>" + _pieces(KEY, 4, "</span><span>") + "</span>", "<span>{}</span>"),
    "span-class": (
        '<code><span class="tok">' + _pieces(KEY, 5, '</span><span class="tok">') + "</span>",
        '<code><span class="tok">{}</span>',
    ),
    "bold-italic": ("sk-pr<b>oj-Ab3dEf</b>9hIjKl<i>MnOpQrS</i>tUvWx12", "{}"),
}


@pytest.mark.parametrize("echo", list(TAGGED))
def test_a_key_in_pieces_between_html_tags_is_redacted(echo: str) -> None:
    """An HTML error page or a rendered answer that breaks a key with tags (``<wbr>`` where a
    long word may break, ``<br>`` to wrap it, a highlighter's ``<span>`` per token): a reader
    sees the key, and no sixteen characters of it stand together in the text."""
    tagged, expected = TAGGED[echo]
    for out in _scrubbed(tagged):
        assert out == f"Incorrect API key: {expected.format(REDACTED)} (check it)", (tagged, out)


def _base64_cores(value: str) -> list[str]:
    """``value``'s base64 at each byte alignment, standard and URL-safe: only the characters
    its own bytes decide."""
    raw = value.encode()
    cores = []
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * pad + raw).decode()
            cores.append(text[-(-8 * pad // 6) : 8 * (pad + len(raw)) // 6])
    return cores


DUMPED = json.dumps({"headers": {"Authorization": f"Bearer {KEY}", "Accept": "*/*"}}).encode()
WRAPPED = {
    "mime": base64.encodebytes(DUMPED).decode(),
    "mime-crlf": base64.encodebytes(DUMPED).decode().replace("\n", "\r\n"),
    "mime-shifted": base64.encodebytes(b"x" + DUMPED).decode(),
    "indented": "\n".join(
        "    " + line for line in base64.encodebytes(b"xy" + DUMPED).decode().splitlines()
    ),
    "url-safe-64": "\n".join(
        base64.urlsafe_b64encode(DUMPED).decode()[i : i + 64] for i in range(0, 400, 64)
    ),
}


@pytest.mark.parametrize("echo", list(WRAPPED))
def test_a_key_in_base64_wrapped_across_lines_is_redacted(echo: str) -> None:
    """A debugging proxy's dump of the request it got, base64 in lines of 76 (MIME's, Python's
    ``base64.encodebytes``) or 64 (PEM's): the key's base64 runs across a line break, and its
    base64 as one piece is in no line."""
    wrapped = WRAPPED[echo]
    windows = {core[i : i + 12] for core in _base64_cores(KEY) for i in range(len(core) - 11)}
    assert any(window in "".join(wrapped.split()) for window in windows)
    for out in _scrubbed(wrapped):
        assert REDACTED in out
        assert not any(window in "".join(out.split()) for window in windows), out


def _letters(value: str, upper: int, lower: int, digit: int | None = None) -> str:
    """``value`` with its ASCII letters (and digits, where ``digit`` is given) written from
    another block of Unicode, whose NFKC form is the ASCII letter."""
    out = []
    for c in value:
        if "A" <= c <= "Z":
            out.append(chr(upper + ord(c) - ord("A")))
        elif "a" <= c <= "z":
            out.append(chr(lower + ord(c) - ord("a")))
        elif digit is not None and "0" <= c <= "9":
            out.append(chr(digit + ord(c) - ord("0")))
        else:
            out.append(c)
    return "".join(out)


def _full_width(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


COMPATIBLE = {
    "full-width": _full_width(KEY),
    "full-width-front-cut": _full_width(KEY[6:]),
    "mathematical-bold": _letters(KEY, 0x1D400, 0x1D41A, 0x1D7CE),
    "mathematical-monospace": _letters(KEY, 0x1D670, 0x1D68A, 0x1D7F6),
    "circled": _letters(KEY, 0x24B6, 0x24D0),
}


@pytest.mark.parametrize("echo", list(COMPATIBLE))
def test_a_key_in_compatibility_forms_is_redacted(echo: str) -> None:
    """A model that writes the key in full-width letters (as CJK text sets Latin ones) or in
    Unicode's mathematical or circled letters (styled text): NFKC reads it, and a reader
    copies it, as the key; none of its characters is the key's as written."""
    compatible = COMPATIBLE[echo]
    for out in _scrubbed(compatible):
        assert out == f"Incorrect API key: {REDACTED} (check it)", (compatible, out)


@pytest.mark.parametrize("cut", [0, 8], ids=["whole", "front-cut"])
def test_a_key_whose_latin_1_spelling_holds_what_a_reader_drops_is_redacted_whole(
    cut: int,
) -> None:
    """A non-ASCII key's UTF-8 read as Latin-1: ``í`` is ``Ã`` and a soft hyphen, ``¼`` has
    another NFKC form. Read without the one and in NFKC, the spelling is found whole, not in
    part with the rest of it kept."""
    key = "sk-proj-Ab3dEf9hIjKlíMnOp¼QrStUvWx12"
    latin_1 = key.encode().decode("latin-1")[cut:]
    assert "\u00ad" in latin_1
    for scrubber in (scrub, scrub_answer):
        out = scrubber(f"said: {latin_1} (check)", [key])
        assert out == f"said: {REDACTED} (check)", out


def _percent_all(value: str, form: str = "%{:02X}") -> str:
    """``value`` with every byte percent-encoded, letters and digits too."""
    return "".join(form.format(byte) for byte in value.encode())


PERCENT = {
    "every-byte": _percent_all(KEY),
    "every-byte-lower": _percent_all(KEY, "%{:02x}"),
    "every-byte-front-cut": _percent_all(KEY[6:]),
    "every-byte-twice": _percent_all(KEY, "%25{:02X}"),
    "every-byte-backwards": _percent_all(KEY[::-1]),
    "every-other-byte": "".join(f"%{ord(c):02X}" if i % 2 else c for i, c in enumerate(KEY)),
}


@pytest.mark.parametrize("echo", list(PERCENT))
def test_a_key_with_every_character_percent_encoded_is_redacted(echo: str) -> None:
    """An encoder that escapes every byte (a proxy's log of a form body, a WAF's), not only
    what a URL must: ``%73%6B%2D...`` holds none of the key's characters; encoded twice
    (``%2573``) when a URL holding it was encoded again."""
    encoded = PERCENT[echo]
    for out in _scrubbed(encoded):
        assert out == f"Incorrect API key: {REDACTED} (check it)", (encoded, out)


@pytest.mark.parametrize(
    "text",
    [
        f'<a href="https://h/v1?key={KEY}&amp;a=1">retry</a>',
        f'<meta name="key" content="{KEY}"><p>x</p>',
        f"<{KEY}> 100%41 and more\u2026",
    ],
    ids=["link", "meta", "angle-brackets"],
)
def test_a_key_as_written_inside_a_tag_is_redacted(text: str) -> None:
    """A key written as it is inside a tag (a link's query, an attribute), or between ``<`` and
    ``>``: what a reader sees of the text drops the tag, key and all, but the key as written is
    looked for in the text as it is."""
    for scrubber in (scrub, scrub_answer):
        out = scrubber(text, [KEY])
        assert KEY not in out and REDACTED in out, out
