"""A key echoed as the hexadecimal of its bytes (a debugging proxy's dump of the request it
got, "41 75 74 68 ..." or "4175746820..."; a hex editor's, in capitals) never reaches a file or
the console, whole, wrapped or in part.

The scrubber looked for the key as written and in its encoded spellings (JSON escapes,
percent-encoding, base64), not as hex: a 500 body dumping the request head in hex was written to
responses.jsonl, results.jsonl, the reports and printed, and anyone who reads hex (or runs
``bytes.fromhex``) had the key. Here a real server on 127.0.0.1 answers every request with such a
dump of the Authorization header, in an error body and in an answer; the executor's record
(what the journal, the cache, the reports and the console are written from) is searched.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from assurance_harness.datatypes import ResponseRecord
from assurance_harness.scrub import scrub, scrub_answer
from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

from ..testing.openai_stub import send_once, serve

KEY = "sk-hexdump-Qw81Er73Ty62Ui54Op09"


def _dumps(key: str) -> list[str]:
    raw = key.encode()
    return [
        raw.hex(),
        raw.hex().upper(),
        raw.hex(" "),
        raw.hex(":").upper(),
        raw.hex(" ", 2),
        raw[6:].hex(),  # the front cut: most of the key
        "\n".join(raw.hex(" ")[i : i + 48] for i in range(0, len(raw.hex(" ")), 48)),
    ]


def _holds_key_hex(text: str) -> bool:
    """Whether ``text`` (separators dropped) holds eight bytes of the key as hex."""
    flat = "".join(c for c in text.casefold() if c not in " :\n")
    whole = KEY.encode().hex()
    return any(whole[i : i + 16] in flat for i in range(0, len(whole) - 15, 2))


@pytest.mark.parametrize("dump", _dumps(KEY))
def test_scrub_redacts_a_key_dumped_as_hex(dump: str) -> None:
    for clean in (scrub, scrub_answer):
        out = clean(f"request: {dump} end", [KEY])
        assert not _holds_key_hex(out), out
        assert out.startswith("request: ") and out.endswith(" end")


@pytest.mark.parametrize(
    "text",
    [
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "colour #736b2d and 68 65 78 are hex",
        "the bytes 73 6b 2d 68 65 78 start many keys",
    ],
)
def test_ordinary_hex_is_kept(text: str) -> None:
    assert scrub(text, [KEY]) == text


def _record(answer_status: int, monkeypatch: pytest.MonkeyPatch) -> ResponseRecord:
    """One request to a real server on 127.0.0.1 that dumps the request's Authorization header
    as hex, in a ``answer_status`` body (an error's, or a 200 answer's text); its record."""
    monkeypatch.setenv("HEX_TEST_KEY", KEY)

    async def dump(request: web.Request) -> web.Response:
        line = f"Authorization: {request.headers.get('Authorization')}".encode().hex(" ")
        if answer_status == 200:
            return web.json_response(
                {"choices": [{"message": {"content": f"you sent {line}"}}], "model": "m"}
            )
        return web.Response(status=answer_status, text=f"proxy error; request was:\n{line}")

    async def main() -> ResponseRecord:
        async with serve(dump) as (url, _):
            spec = OpenAISpec(base_url=url + "/v1", model="m", api_key_env="HEX_TEST_KEY")
            return await send_once(OpenAITarget(spec))

    return asyncio.run(main())


@pytest.mark.parametrize("status", [500, 401])
def test_a_key_dumped_as_hex_in_an_error_body_is_not_recorded(
    monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    record = _record(status, monkeypatch)
    assert record.error is not None and "proxy error" in record.error.message, record
    assert not _holds_key_hex(record.error.message), record.error.message


def test_a_key_dumped_as_hex_in_an_answer_is_not_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = _record(200, monkeypatch)
    assert record.response is not None and record.response.startswith("you sent "), record
    assert not _holds_key_hex(record.response), record.response
