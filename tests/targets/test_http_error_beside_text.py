"""The generic ``http`` target: a reply with text at ``response_path`` and an error beside it
is the error, not an answer (as ``openai`` treats a body with both ``error`` and ``choices``).
Where the API puts its error is ``error_path`` (default ``error``, the top-level key the target
already read an error from when there was no text); ``error_path: null`` reads none. A real
JSON server on 127.0.0.1.

Observed: ``{"output": {"text": "Sorry, fallback"}, "error": {"message": "upstream timed
out"}}`` was scored as the model's answer ("Sorry, fallback"): a proxy's fallback text read as
the system's behaviour."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.targets.base import BadResponseError
from assurance_harness.targets.http_json import HttpJsonSpec, HttpJsonTarget

from ..testing.openai_stub import json_response, serve

BODIES: dict[str, Any] = {
    "fallback": {"output": {"text": "Sorry, fallback"}, "error": {"message": "upstream timed out"}},
    "coded": {"output": {"text": "Partial"}, "error": {"code": 502}},
    "nested": {"output": {"text": "Half", "problem": "quota exceeded"}},
    "null": {"output": {"text": "A whole answer."}, "error": None},
    "empty": {"output": {"text": "Also whole."}, "error": ""},
}


async def _handler(request: web.Request) -> web.Response:
    return json_response(BODIES[(await request.json())["input"]])


def _answer(prompt: str, **extra: Any) -> GenerationResponse:
    async def main() -> GenerationResponse:
        async with serve(_handler) as (url, _):
            spec = HttpJsonSpec(
                url=url + "/generate", body={"input": "{prompt}"}, response_path="output.text",
                **extra,
            )  # fmt: skip
            target = HttpJsonTarget(spec)
            await target.start()
            try:
                request = GenerationRequest(
                    case_id="c", sample=0, seed=0,
                    messages=[{"role": "user", "content": prompt}], params={},
                )  # fmt: skip
                return await target.generate(request)
            finally:
                await target.close()

    return asyncio.run(main())


@pytest.mark.parametrize(
    ("prompt", "said"), [("fallback", "upstream timed out"), ("coded", '{"code": 502}')]
)
def test_text_beside_an_error_is_the_error(prompt: str, said: str) -> None:
    with pytest.raises(BadResponseError) as info:
        _answer(prompt)
    message = str(info.value)
    assert said in message and "error_path" in message, message


def test_the_error_is_read_at_error_path() -> None:
    with pytest.raises(BadResponseError, match="quota exceeded"):
        _answer("nested", error_path="output.problem")


@pytest.mark.parametrize("prompt", ["null", "empty"])
def test_an_error_that_says_nothing_leaves_the_answer(prompt: str) -> None:
    assert _answer(prompt).text == BODIES[prompt]["output"]["text"]


def test_error_path_null_reads_no_error_and_changes_the_fingerprint() -> None:
    assert _answer("fallback", error_path=None).text == "Sorry, fallback"
    plain = HttpJsonTarget(HttpJsonSpec(url="http://127.0.0.1:9/g", response_path="output.text"))
    off = HttpJsonTarget(
        HttpJsonSpec(url="http://127.0.0.1:9/g", response_path="output.text", error_path=None)
    )
    assert "error_path" not in plain.public_config()  # targets written before keep theirs
    assert off.fingerprint() != plain.fingerprint()
