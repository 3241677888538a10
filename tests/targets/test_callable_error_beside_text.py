"""A callable's dict answer with an error beside its text is that error, as the ``http`` and
``openai`` targets read one: a function that wraps a client and returns its body
(``{"text": "", "error": "rate limited"}``) had its failed call scored as an empty answer, a
harmless reply nobody gave."""

from __future__ import annotations

from typing import Any

import pytest

from assurance_harness.targets.base import BadResponseError
from assurance_harness.targets.callable_target import to_response


@pytest.mark.parametrize(
    ("result", "said"),
    [
        ({"text": "", "error": "rate limited"}, "rate limited"),
        ({"text": "Sorry, fallback", "error": {"message": "upstream timed out"}}, "timed out"),
        ({"error": {"code": 503}}, '"code": 503'),
    ],
)
def test_an_error_beside_the_text_is_the_case_s_error(result: dict[str, Any], said: str) -> None:
    with pytest.raises(BadResponseError, match="error") as raised:
        to_response(result, where="fns:reply")
    assert said in str(raised.value) and "fns:reply" in str(raised.value)


@pytest.mark.parametrize("nothing", [None, "", False, {}, []])
def test_an_error_field_that_says_nothing_leaves_the_answer(nothing: object) -> None:
    # APIs that always send the key send it empty on success.
    assert to_response({"text": "ok", "error": nothing}, where="fns:reply").text == "ok"
