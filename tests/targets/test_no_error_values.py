"""An ``error`` field that says nothing (``0``, ``false``, ``""``, blank text, ``null``, an
empty object or list, an object whose every field says nothing such as ``{"code": 0,
"message": ""}``) beside an answer is no error: APIs that always send the key send it so on
success. One that says something (``1``, ``true``, text, ``{"message": ...}``, ``{"code":
502}``) stays an error. Real JSON servers on 127.0.0.1 behind the ``openai`` target (beside
``choices`` and inside the choice) and the ``http`` target.

Was: ``"error": 0`` (and ``0.0``, blank text, ``{"message": null}``, ``{"code": 0, "message":
""}``) beside a whole answer failed the case bad_response, counting a success as an error.
"""

from __future__ import annotations

from typing import Any

import pytest

from assurance_harness.datatypes import GenerationResponse
from assurance_harness.targets.base import BadResponseError, Target
from assurance_harness.targets.http_json import HttpJsonSpec, HttpJsonTarget
from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

from ..testing.openai_stub import answer_to, completion

NOTHING = [0, 0.0, False, "", "  ", None, {}, [], {"message": None}, {"code": 0, "message": ""}]
SOMETHING = [
    (1, "1"),
    (True, "true"),
    ("quota exceeded", "quota exceeded"),
    ({"message": "upstream timed out"}, "upstream timed out"),
    ({"code": 502}, '"code": 502'),
    ({"message": "", "type": "server_error"}, "server_error"),
]


BODY = {"input": "{prompt}"}


def _answer(where: str, error: Any) -> GenerationResponse:
    if where == "http":
        body: dict[str, Any] = {"output": {"text": "A whole answer."}, "error": error}
    elif where == "beside choices":
        body = {**completion("A whole answer."), "error": error}
    else:
        body = completion("A whole answer.")
        body["choices"][0]["error"] = error

    def make(url: str) -> Target:
        if where == "http":
            return HttpJsonTarget(
                HttpJsonSpec(url=url + "/g", body=BODY, response_path="output.text")
            )
        return OpenAITarget(OpenAISpec(base_url=url + "/v1", model="m"))

    return answer_to(body, make)


WHERE = ["http", "beside choices", "in the choice"]


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("error", NOTHING)
def test_an_error_that_says_nothing_beside_an_answer_is_no_error(where: str, error: Any) -> None:
    assert _answer(where, error).text == "A whole answer."


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize(("error", "said"), SOMETHING)
def test_an_error_that_says_something_stays_an_error(where: str, error: Any, said: str) -> None:
    with pytest.raises(BadResponseError) as failed:
        _answer(where, error)
    assert said in str(failed.value), str(failed.value)
