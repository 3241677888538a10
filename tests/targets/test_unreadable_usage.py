"""A chat-completions ``usage`` that cannot be read as token counts is recorded as unreadable,
with what the endpoint sent, rather than dropped as if the endpoint had sent none. A real JSON
server on 127.0.0.1 behind an ``openai`` target; the run's response cache is where usage is
kept.

Was: a usage that was a list, text or a number became None (indistinguishable from an endpoint
that reports no usage), and one whose token counts were negative, fractional, text or booleans
was kept as if they were counts.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from assurance_harness.datatypes import GenerationResponse
from assurance_harness.runner.run import run_suite

from ..testing.openai_stub import ThreadedServer, answer_to, completion, json_response

_MISSING = object()


def _answer(usage: Any) -> GenerationResponse:
    body = completion("An answer")
    if usage is _MISSING:
        del body["usage"]
    else:
        body["usage"] = usage

    return answer_to(body)


@pytest.mark.parametrize(
    ("usage", "why"),
    [
        ([5, 3, 8], "a list"),
        ("lots", "text"),
        (8, "a number"),
        (True, "a boolean"),
        ({"prompt_tokens": -3, "completion_tokens": 3, "total_tokens": 0}, "prompt_tokens"),
        ({"prompt_tokens": 5, "completion_tokens": 2.5, "total_tokens": 7.5}, "completion_tokens"),
        ({"prompt_tokens": "5", "completion_tokens": 3, "total_tokens": 8}, "prompt_tokens"),
        ({"prompt_tokens": True, "completion_tokens": 3, "total_tokens": 4}, "prompt_tokens"),
        ({"total_tokens": 8, "prompt_tokens_details": {"cached_tokens": -1}}, "cached_tokens"),
    ],
)
def test_an_unreadable_usage_is_recorded_as_unreadable(usage: Any, why: str) -> None:
    answer = _answer(usage)
    assert answer.text == "An answer"
    assert answer.usage is not None
    assert set(answer.usage) == {"unreadable", "as_sent"}
    assert why in answer.usage["unreadable"], answer.usage
    assert answer.usage["as_sent"] == json.dumps(usage)


@pytest.mark.parametrize(
    "usage",
    [
        {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
        {  # OpenAI's details; OpenRouter's cost and is_byok; Groq's times
            "prompt_tokens": 5,
            "completion_tokens": 3,
            "total_tokens": 8,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": None},
            "completion_tokens_details": {"reasoning_tokens": 2},
            "cost": 0.00012,
            "is_byok": False,
            "queue_time": 0.01,
        },
        {"prompt_tokens": 5, "prompt_tokens_details": None},  # vLLM
        {"prompt_tokens": 12.0, "total_tokens": 10**400},  # past a float: no OverflowError
        {},
    ],
)
def test_a_readable_usage_is_kept_as_sent(usage: dict[str, Any]) -> None:
    assert _answer(usage).usage == usage


@pytest.mark.parametrize("usage", [_MISSING, None])
def test_no_usage_is_none(usage: Any) -> None:
    assert _answer(usage).usage is None


def test_a_run_caches_the_unreadable_usage(tmp_path: Path) -> None:
    async def handler(_: web.Request) -> web.Response:
        return json_response({**completion("An answer of words"), "usage": [5, 3, 8]})

    (tmp_path / "suite.yaml").write_text(
        "suite: used\ncases:\n  - {id: a, prompt: hello}\n"
        "scorers:\n  - {id: len, use: length}\nmetrics:\n  - {id: long, rate: 'len.words > 1'}\n",
        encoding="utf-8",
    )
    with ThreadedServer(handler) as server:
        (tmp_path / "target.yaml").write_text(
            f"type: openai\nbase_url: {server.base_url}\nmodel: m\n", encoding="utf-8"
        )
        run_suite(
            tmp_path / "suite.yaml",
            tmp_path / "target.yaml",
            reports_dir=tmp_path / "reports",
            write_reports=False,
            attach_evidence=False,
        )
    with sqlite3.connect(tmp_path / "reports" / "cache.sqlite") as db:
        (stored,) = db.execute("SELECT usage FROM responses").fetchone()
    assert json.loads(stored)["as_sent"] == "[5, 3, 8]"
