"""A finish reason the harness cannot read as text is recorded visibly and counted as possibly
not complete, never dropped or read as a normal stop. Real JSON servers on 127.0.0.1 behind an
``openai`` and an ``http`` target.

Was: the ``openai`` target dropped a finish_reason that was not text (``5``, ``{"x": 1}``,
``["length"]``): the row recorded none and the answer read as complete. The ``http`` target
recorded Gemini's one-element list ``["MAX_TOKENS"]`` as its JSON text, never recognised as cut
off, and any value that was not text read as a normal stop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.formatting import incomplete_answer, incomplete_line
from assurance_harness.runner.run import run_suite
from assurance_harness.targets.http_json import HttpJsonSpec, HttpJsonTarget

from ..testing.openai_stub import ThreadedServer, answer_to, completion, json_response, serve

_REQUEST = GenerationRequest(
    case_id="c1", sample=0, seed=0, messages=[{"role": "user", "content": "hi"}], params={}
)


def _openai_answer(finish: Any) -> GenerationResponse:
    body = completion("Part of an answer")
    body["choices"][0]["finish_reason"] = finish

    return answer_to(body)


def _http_answer(finish: Any) -> GenerationResponse:
    async def handler(_: web.Request) -> web.Response:
        return json_response({"candidates": [{"text": "Part of", "finishReason": finish}]})

    async def main() -> GenerationResponse:
        async with serve(handler) as (url, _):
            spec = HttpJsonSpec(
                url=url + "/generate",
                body={"input": "{prompt}"},
                response_path="candidates.0.text",
                finish_reason_path="candidates.0.finishReason",
            )
            target = HttpJsonTarget(spec)
            await target.start()
            try:
                return await target.generate(_REQUEST)
            finally:
                await target.close()

    return asyncio.run(main())


UNREADABLE = [
    (5, "5"),
    ({"x": 1}, '{"x": 1}'),
    (["length", "stop"], '["length", "stop"]'),
    ([], "[]"),
    (True, "true"),
    ([{"reason": "stop"}], '[{"reason": "stop"}]'),
]


@pytest.mark.parametrize(("finish", "recorded"), UNREADABLE)
def test_openai_keeps_an_unreadable_finish_reason_and_marks_the_answer(
    finish: Any, recorded: str
) -> None:
    answer = _openai_answer(finish)
    assert answer.text == "Part of an answer"
    assert answer.finish_reason == recorded
    said = incomplete_answer(answer.finish_reason)
    assert said is not None and "may be" in said, said


@pytest.mark.parametrize(("finish", "recorded"), UNREADABLE)
def test_http_keeps_an_unreadable_finish_reason_and_marks_the_answer(
    finish: Any, recorded: str
) -> None:
    answer = _http_answer(finish)
    assert answer.finish_reason == recorded
    said = incomplete_answer(answer.finish_reason)
    assert said is not None and "may be" in said, said


@pytest.mark.parametrize(
    ("finish", "recorded", "kind"),
    [(["MAX_TOKENS"], "MAX_TOKENS", "cut off"), (["SAFETY"], "SAFETY", "filter")],
)
def test_a_one_element_list_is_read_as_its_text(finish: Any, recorded: str, kind: str) -> None:
    for answer in (_http_answer(finish), _openai_answer(finish)):
        assert answer.finish_reason == recorded
        said = incomplete_answer(answer.finish_reason)
        assert said is not None and kind in said, said


def test_a_one_element_list_that_ended_is_complete() -> None:
    assert _http_answer(["STOP"]).finish_reason == "STOP"
    assert incomplete_answer("STOP") is None


@pytest.mark.parametrize("finish", ["stop", "length", None, ""])
def test_text_and_nothing_are_recorded_as_before(finish: Any) -> None:
    assert _openai_answer(finish).finish_reason == finish


@pytest.mark.parametrize("reason", ["stop", "end_turn", "COMPLETE", "stop_sequence", "eos"])
def test_text_reasons_that_ended_stay_complete(reason: str) -> None:
    assert incomplete_answer(reason) is None


def test_a_run_says_an_unreadable_finish_reason_is_possibly_not_complete(tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.Response:
        prompt = (await request.json())["messages"][-1]["content"]
        body = completion("An answer of some words")
        body["choices"][0]["finish_reason"] = 5 if prompt == "coded" else "stop"
        return json_response(body)

    (tmp_path / "suite.yaml").write_text(
        "suite: coded\ncases:\n  - {id: a, prompt: coded}\n  - {id: b, prompt: plain}\n"
        "scorers:\n  - {id: len, use: length}\nmetrics:\n  - {id: long, rate: 'len.words > 1'}\n",
        encoding="utf-8",
    )
    with ThreadedServer(handler) as server:
        (tmp_path / "target.yaml").write_text(
            f"type: openai\nbase_url: {server.base_url}\nmodel: m\n", encoding="utf-8"
        )
        outcome = run_suite(
            tmp_path / "suite.yaml",
            tmp_path / "target.yaml",
            reports_dir=tmp_path / "reports",
            write_reports=False,
            attach_evidence=False,
        )
    counts = outcome.summary["counts"]
    assert counts["finish_reasons"] == {"5": 1, "stop": 1}
    line = incomplete_line(counts)
    assert line is not None and "1 of 2 answers" in line, line
    assert "did not complete them (or did not say in text how): 5 1 (" in line, line
