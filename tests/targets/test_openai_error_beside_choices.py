"""An HTTP 200 whose body holds an ``error`` beside ``choices`` is the provider saying the
request failed (a proxy's fallback, an upstream that broke mid-way), not an answer: the case
is a ``bad_response`` with the provider's message, one line. A real server on 127.0.0.1.

Was: the choices were read and scored as the model's answer, and the error was never seen.
"""

from __future__ import annotations

from typing import Any

import pytest

from assurance_harness.datatypes import GenerationResponse
from assurance_harness.targets.base import BadResponseError

from ..testing.openai_stub import answer_to, completion


def _answer(body: dict[str, Any]) -> GenerationResponse:
    return answer_to(body)


@pytest.mark.parametrize(
    ("error", "said"),
    [
        ({"message": "upstream model overloaded,\nretry later", "type": "server_error"}, None),
        ("the upstream provider timed out", None),
        ({"code": 502, "type": "upstream_error"}, '"code": 502'),
    ],
)
def test_an_error_beside_choices_is_an_error_with_the_providers_message(
    error: Any, said: str | None
) -> None:
    body = {**completion("A fallback answer nobody should score."), "error": error}
    with pytest.raises(BadResponseError) as failed:
        _answer(body)
    message = str(failed.value)
    assert "\n" not in message
    wanted = said or (error["message"] if isinstance(error, dict) else error).split("\n")[0]
    assert wanted in message, message
    assert "fallback answer" not in message
    assert failed.value.status == 200


@pytest.mark.parametrize("nothing", [None, {}, ""])
def test_an_empty_error_beside_choices_is_no_error(nothing: Any) -> None:
    answer = _answer({**completion("All fine."), "error": nothing})
    assert answer.text == "All fine."
