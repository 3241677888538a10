"""The generic ``http`` target reads how each answer ended where its configuration says
(``finish_reason_path``, as ``response_path`` says where the text is), so an answer a generic
API cut off at its token limit is counted as cut off, not scored as complete. A real JSON
server on 127.0.0.1.

Was: the adapter read the text (and the model) only: every answer of a generic API read as
complete, and the run's ``not complete:`` line could never show for it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp import web

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.runner.run import run_suite
from assurance_harness.targets.http_json import HttpJsonSpec, HttpJsonTarget

from ..testing.openai_stub import ThreadedServer, json_response, serve


async def _handler(request: web.Request) -> web.Response:
    prompt = (await request.json())["input"]
    if "long" in prompt:
        return json_response({"output": {"text": "It began", "stop": "length"}})
    if "coded" in prompt:
        return json_response({"output": {"text": "Coded.", "stop": 2}})
    if "silent" in prompt:
        return json_response({"output": {"text": "No reason given."}})
    return json_response({"output": {"text": "A whole answer.", "stop": "stop"}})


def _spec(url: str, **extra: Any) -> HttpJsonSpec:
    return HttpJsonSpec(
        url=url + "/generate", body={"input": "{prompt}"}, response_path="output.text", **extra
    )


def _answers(prompts: list[str], **extra: Any) -> list[GenerationResponse]:
    async def main() -> list[GenerationResponse]:
        async with serve(_handler) as (url, _):
            target = HttpJsonTarget(_spec(url, **extra))
            await target.start()
            try:
                return [
                    await target.generate(
                        GenerationRequest(
                            case_id=f"c{i}",
                            sample=0,
                            seed=0,
                            messages=[{"role": "user", "content": p}],
                            params={},
                        )
                    )
                    for i, p in enumerate(prompts)
                ]
            finally:
                await target.close()

    return asyncio.run(main())


def test_the_finish_reason_is_read_at_its_path() -> None:
    long, whole, silent, coded = _answers(
        ["a long one", "a short one", "a silent one", "a coded one"],
        finish_reason_path="output.stop",
    )
    assert (long.text, long.finish_reason) == ("It began", "length")
    assert whole.finish_reason == "stop"
    assert silent.finish_reason is None  # not given: not known
    assert coded.finish_reason == "2"  # kept as the API said it, not dropped


def test_without_the_path_no_finish_reason_and_the_same_fingerprint() -> None:
    (long,) = _answers(["a long one"])
    assert long.finish_reason is None
    plain = HttpJsonTarget(_spec("http://127.0.0.1:9"))
    assert "finish_reason_path" not in plain.public_config()  # targets written before
    with_path = HttpJsonTarget(_spec("http://127.0.0.1:9", finish_reason_path="output.stop"))
    assert with_path.public_config()["finish_reason_path"] == "output.stop"
    assert with_path.fingerprint() != plain.fingerprint()


def test_a_run_counts_the_answers_the_api_cut_off(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(
        "suite: generic\ncases:\n  - {id: a, prompt: 'a long one'}\n"
        "  - {id: b, prompt: 'a short one'}\n"
        "scorers:\n  - {id: len, use: length}\nmetrics:\n  - {id: long, rate: 'len.words > 1'}\n",
        encoding="utf-8",
    )
    with ThreadedServer(_handler) as server:
        (tmp_path / "target.yaml").write_text(
            f"type: http\nurl: {server.url}/generate\nbody: {{input: '{{prompt}}'}}\n"
            "response_path: output.text\nfinish_reason_path: output.stop\n",
            encoding="utf-8",
        )
        outcome = run_suite(
            tmp_path / "suite.yaml",
            tmp_path / "target.yaml",
            reports_dir=tmp_path / "reports",
            write_reports=False,
            attach_evidence=False,
        )
    assert outcome.summary["counts"]["finish_reasons"] == {"length": 1, "stop": 1}
