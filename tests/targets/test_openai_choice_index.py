"""The answer is the choice whose ``index`` is 0, wherever the server put it in ``choices``: a
server or proxy that returns choices out of order must not have the second choice scored as the
answer. A real JSON server on 127.0.0.1 behind an ``openai`` target.

Was: ``choices[0]`` was read by position, so ``[{"index": 1, ...}, {"index": 0, ...}]``
recorded choice 1's text and finish reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from assurance_harness.datatypes import GenerationResponse
from assurance_harness.targets.base import BadResponseError

from ..testing.openai_stub import answer_to, completion


def _choice(text: str, finish: str = "stop", **index: Any) -> dict[str, Any]:
    return {**index, "message": {"role": "assistant", "content": text}, "finish_reason": finish}


def _answer(choices: list[Any]) -> GenerationResponse:
    body = {**completion(), "choices": choices}

    return answer_to(body)


def test_the_choice_with_index_0_is_the_answer_wherever_it_is() -> None:
    answer = _answer([_choice("second", "length", index=1), _choice("first", index=0)])
    assert (answer.text, answer.finish_reason) == ("first", "stop")


@pytest.mark.parametrize(
    "choices",
    [
        [_choice("only", index=0)],
        [_choice("first", index=0), _choice("second", index=1)],
        [_choice("no index")],  # servers that leave index out: by position, as before
        [_choice("first"), _choice("second")],
    ],
)
def test_choices_in_order_or_without_indexes_read_as_before(choices: list[Any]) -> None:
    assert _answer(choices).text == choices[0]["message"]["content"]


@pytest.mark.parametrize(
    ("choices", "said"),
    [
        ([_choice("a", index=1), _choice("b", index=2)], "none has index 0"),
        ([_choice("a", index=0), _choice("b", index=0)], "index 0 twice"),
        ([_choice("a", index=1), _choice("b", index=1), _choice("c", index=0)], "index 1 twice"),
        ([_choice("a", index=1), _choice("b")], "choices[1] has no index"),
        ([_choice("a", index="0")], 'choices[0] has index "0"'),
        ([_choice("a", index=True)], "choices[0] has index true"),
    ],
)
def test_indexes_that_do_not_name_one_answer_are_a_bad_response(
    choices: list[Any], said: str
) -> None:
    with pytest.raises(BadResponseError) as failed:
        _answer(choices)
    message = str(failed.value)
    assert said in message and "\n" not in message, message
    assert failed.value.status == 200
