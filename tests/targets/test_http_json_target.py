"""The generic http adapter: body templates, response paths, and the shared fault mapping."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from aiohttp import web

from assurance_harness.datatypes import GenerationRequest
from assurance_harness.targets.base import BadResponseError, RateLimitedError
from assurance_harness.targets.http_json import (
    HttpJsonSpec,
    HttpJsonTarget,
    TemplateError,
    render,
)

from ..testing.cli import run_project
from ..testing.openai_stub import ThreadedServer, json_response, serve


def request(**params: object) -> GenerationRequest:
    return GenerationRequest(
        case_id="h1",
        sample=1,
        seed=7,
        messages=[{"role": "user", "content": "Tell me about volcanoes"}],
        params=dict(params),
    )


async def call(target: HttpJsonTarget, req: GenerationRequest):
    await target.start()
    try:
        return await target.generate(req)
    finally:
        await target.close()


def test_body_template_and_response_path(monkeypatch) -> None:
    monkeypatch.setenv("SVC_TOKEN", "tok-1")

    async def handler(_: web.Request) -> web.Response:
        return json_response(
            {"output": {"choices": [{"text": "Volcanoes are mountains."}]}, "meta": {"rev": 12}}
        )

    async def main() -> None:
        async with serve(handler) as (url, seen):
            spec = HttpJsonSpec(
                url=url + "/generate",
                headers={"Authorization": "Token ${SVC_TOKEN}"},
                system_prompt="Be kind.",
                generation={"max_tokens": 64},
                body={
                    "input": {"messages": "{messages}", "question": "Q: {prompt}"},
                    "config": {"max_new_tokens": "{max_tokens}", "seed": "{seed}"},
                    "tags": ["{case_id}", "sample-{sample}"],
                    "fixed": 3,
                },
                response_path="output.choices.0.text",
                model_version_path="meta.rev",
            )
            target = HttpJsonTarget(spec)
            response = await call(target, request())
            assert "tok-1" not in str(target.public_config())
        assert response.text == "Volcanoes are mountains."
        assert response.model_version == "12"
        assert seen.headers[0]["Authorization"] == "Token tok-1"
        assert seen.bodies[0] == {
            "input": {
                "messages": [
                    {"role": "system", "content": "Be kind."},
                    {"role": "user", "content": "Tell me about volcanoes"},
                ],
                "question": "Q: Tell me about volcanoes",
            },
            "config": {"max_new_tokens": 64, "seed": 7},
            "tags": ["h1", "sample-1"],
            "fixed": 3,
        }

    asyncio.run(main())


def test_missing_response_path_is_a_bad_response() -> None:
    async def handler(_: web.Request) -> web.Response:
        return json_response({"output": {"choices": []}})

    async def main() -> None:
        async with serve(handler) as (url, _):
            spec = HttpJsonSpec(url=url, response_path="output.choices.0.text")
            with pytest.raises(BadResponseError, match=r"nothing at 'output\.choices\.0\.text'"):
                await call(HttpJsonTarget(spec), request())

    asyncio.run(main())


def test_same_fault_mapping_as_openai() -> None:
    async def handler(_: web.Request) -> web.Response:
        return json_response({}, status=429, headers={"Retry-After": "3"})

    async def main() -> None:
        async with serve(handler) as (url, _):
            spec = HttpJsonSpec(url=url, response_path="text")
            with pytest.raises(RateLimitedError) as info:
                await call(HttpJsonTarget(spec), request())
        assert info.value.retry_after == 3.0

    asyncio.run(main())


def test_template_placeholder_without_a_value_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="temperature"):
        render({"t": "{temperature}"}, {"prompt": "x"})
    assert not TemplateError.retryable
    # Placeholders inside longer strings take the value's text; literal braces survive.
    assert render("n={n} {not a placeholder}", {"n": 2}) == "n=2 {not a placeholder}"


@pytest.mark.parametrize("kind", ["http", "openai"])
@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_redirected_request_is_an_error_not_the_answer_of_another_page(
    tmp_path: Path, kind: str, status: int
) -> None:
    # A 301/302/303 turns a POST into a GET without its body: the prompt never reached the
    # model, yet whatever the other page said was recorded and scored as its answer. (A 307
    # or 308 sends the body on, so the answer is the model's: those are still followed.)
    async def handler(request: web.Request) -> web.Response:
        if request.path.startswith("/moved"):
            return json_response(
                {"text": "a page", "choices": [{"message": {"content": "a page"}}]}
            )
        return web.Response(status=status, headers={"Location": "/moved" + request.path})

    with ThreadedServer(handler) as server:
        if kind == "http":
            target = f"type: http\nurl: {server.url}/generate\nresponse_path: text\n"
        else:
            target = f"type: openai\nbase_url: {server.base_url}\nmodel: m\n"
        (tmp_path / "t.yaml").write_text(target + "retry: {max_attempts: 1}\n")
        (tmp_path / "s.yaml").write_text(
            "suite: moved\ncases: [{id: a, prompt: hi}]\nmetrics: [{id: failed, rate: error}]\n"
        )
        done = run_project(
            tmp_path,
            "--no-report",
            "--no-evidence",
            "--no-cache",
            timeout=60,
        )
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    (journal,) = tmp_path.glob("reports/*/responses.jsonl")
    record = json.loads(journal.read_text())
    assert record["response"] is None, record
    assert record["error"]["status"] == status
    assert "redirect" in record["error"]["message"] and "/moved/" in record["error"]["message"]
