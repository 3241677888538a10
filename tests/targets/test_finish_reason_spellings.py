"""Providers spell a cut-off or filtered answer their own way: Gemini ``MAX_TOKENS``/``SAFETY``,
Anthropic ``max_tokens``/``refusal``, vLLM ``abort``, Cohere ``ERROR_TOXIC``, Bedrock
``guardrail_intervened``. Each is an answer its endpoint did not complete, and the run must say
so whatever the spelling: a real JSON server on 127.0.0.1 behind an ``http`` target reading
``finish_reason_path``.

Was: only ``length``, ``max_tokens`` and ``content_filter`` were known, matched exactly, so a
Gemini answer cut at ``MAX_TOKENS`` or blanked for ``SAFETY`` read as complete: no
``not complete:`` line, no mark beside the answer, and the blank one warned of as empty text
(check the target returns the model's text) rather than named as filtered.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiohttp import web

from assurance_harness.formatting import incomplete_answer, incomplete_line, row_incomplete
from assurance_harness.runner.run import run_suite

from ..testing.openai_stub import ThreadedServer, json_response

ENDED = {"cut": "MAX_TOKENS", "blocked": "SAFETY", "whole": "STOP"}


async def _handler(request: web.Request) -> web.Response:
    prompt = (await request.json())["input"]
    reason = ENDED[prompt]
    text = "" if reason == "SAFETY" else "The first step is to"
    return json_response({"candidates": [{"text": text, "finishReason": reason}]})


def test_a_gemini_cut_and_a_safety_block_are_not_complete(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(
        "suite: spellings\ncases:\n"
        + "".join(f"  - {{id: {p}, prompt: {p}}}\n" for p in ENDED)
        + "scorers:\n  - {id: len, use: length}\nmetrics:\n  - {id: long, rate: 'len.words > 1'}\n",
        encoding="utf-8",
    )
    with ThreadedServer(_handler) as server:
        (tmp_path / "target.yaml").write_text(
            f"type: http\nurl: {server.url}/generate\nbody: {{input: '{{prompt}}'}}\n"
            "response_path: candidates.0.text\nfinish_reason_path: candidates.0.finishReason\n",
            encoding="utf-8",
        )
        outcome = run_suite(
            tmp_path / "suite.yaml",
            tmp_path / "target.yaml",
            reports_dir=tmp_path / "reports",
            write_reports=False,
            attach_evidence=False,
        )
    counts = outcome.summary["counts"]
    # Recorded as the API said it: the evidence keeps the provider's own spelling.
    assert counts["finish_reasons"] == {"MAX_TOKENS": 1, "SAFETY": 1, "STOP": 1}
    line = incomplete_line(counts)
    assert line is not None and "2 of 3 answers" in line, line
    assert "MAX_TOKENS 1 (cut off at max_tokens" in line and "SAFETY 1 (" in line, line
    rows = [
        json.loads(raw)
        for raw in (outcome.run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    marked = {row["case_id"]: row_incomplete(row) for row in rows}
    assert marked["whole"] is None
    assert marked["cut"] is not None and "max_tokens" in marked["cut"]
    assert marked["blocked"] is not None and "filter" in marked["blocked"]
    # The blank SAFETY answer is named as filtered, not warned of as empty text.
    assert not any("empty text" in w for w in outcome.warnings), outcome.warnings


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("length", "cut off"),
        ("MAX_TOKENS", "cut off"),  # Gemini, Cohere
        ("max_tokens", "cut off"),  # Anthropic, Bedrock
        ("Length", "cut off"),
        ("content_filter", "filter"),
        ("SAFETY", "filter"),  # Gemini
        ("RECITATION", "filter"),
        ("PROHIBITED_CONTENT", "filter"),
        ("BLOCKLIST", "filter"),
        ("SPII", "filter"),
        ("refusal", "filter"),  # Anthropic
        ("ERROR_TOXIC", "filter"),  # Cohere
        ("guardrail_intervened", "filter"),  # Bedrock
        ("content_filtered", "filter"),
        ("abort", "error"),  # vLLM
        ("error", "error"),  # OpenRouter
        ("ERROR", "error"),  # Cohere
    ],
)
def test_each_known_spelling_is_named_by_its_kind(reason: str, kind: str) -> None:
    said = incomplete_answer(reason)
    assert said is not None and said.startswith(f"not complete ({reason}): "), said
    assert kind in said, said


@pytest.mark.parametrize("reason", ["stop", "STOP", "end_turn", "eos", "tool_calls", "", None, 2])
def test_an_answer_that_ended_is_not_marked(reason: object) -> None:
    assert incomplete_answer(reason) is None
