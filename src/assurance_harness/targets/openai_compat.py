"""The ``openai`` target: any OpenAI-compatible ``/chat/completions`` endpoint (vLLM, TGI,
Ollama, llama.cpp server, transformers serve, OpenAI, Azure OpenAI).

The API key is read from the environment variable the spec names, at request time; it never
enters the spec, ``public_config()``, the fingerprint, a log line or an error message.
"""

from __future__ import annotations

import json
import os
from typing import Any, ClassVar

from pydantic import Field

from ..model import GenerationRequest, GenerationResponse
from ._http_common import (
    HttpSession,
    build_messages,
    check_env,
    env_refs,
    parse_json,
    public_headers,
    raise_for_status,
    resolve_env,
)
from .base import BadResponseError, Target, TargetSpec, register_target


class OpenAISpec(TargetSpec):
    """An OpenAI-compatible chat-completions endpoint."""

    type: str = "openai"
    """Adapter name: ``openai``."""
    base_url: str
    """Everything before ``/chat/completions``: ``http://localhost:8000/v1`` for vLLM,
    ``https://api.openai.com/v1``, or ``https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT``
    for Azure."""
    model: str
    """The ``model`` field sent with each request (Azure ignores it; the deployment decides)."""
    api_key_env: str | None = None
    """Name of the environment variable that holds the API key (for example ``OPENAI_API_KEY``);
    the key itself never appears in a file."""
    api_key_header: str = "Authorization"
    """Header that carries the key: ``Authorization`` sends ``Bearer KEY``; any other name
    (Azure uses ``api-key``) sends the bare key."""
    api_version: str | None = None
    """Azure only: the ``api-version`` query parameter."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra headers; values may reference environment variables as ``${NAME}``, resolved per
    request and never stored."""
    system_prompt: str | None = None
    """Prepended as a system turn unless the case's conversation already starts with one."""
    send_seed: bool = True
    """Send each request's seed as ``seed`` (OpenAI, vLLM and Ollama honour it); turn off for
    endpoints that reject unknown fields."""


@register_target
class OpenAITarget(Target):
    """Any OpenAI-compatible chat-completions endpoint (vLLM, TGI, Ollama, OpenAI, Azure)."""

    type: ClassVar[str] = "openai"
    Spec = OpenAISpec

    def __init__(self, spec: TargetSpec, *, base_dir: str = ".") -> None:
        super().__init__(spec, base_dir=base_dir)
        assert isinstance(spec, OpenAISpec)
        self.s: OpenAISpec = spec
        self._url = spec.base_url.rstrip("/") + "/chat/completions"
        self._query = {"api-version": spec.api_version} if spec.api_version else None
        self._http = HttpSession(timeout_s=spec.timeout_s)

    def _env_names(self) -> list[str]:
        names = [self.s.api_key_env] if self.s.api_key_env else []
        for value in self.s.headers.values():
            names.extend(env_refs(value))
        return names

    async def start(self) -> None:
        check_env(self._env_names(), where=f"target {self.s.name or self.type}")
        await self._http.start(concurrency=self.spec.concurrency)

    async def close(self) -> None:
        await self._http.close()

    def public_config(self) -> dict[str, Any]:
        data = super().public_config()
        data["headers"] = public_headers(self.s.headers)
        return data

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        for name, value in self.s.headers.items():
            headers[name] = resolve_env(value)
        if self.s.api_key_env:
            key = os.environ.get(self.s.api_key_env, "")
            if self.s.api_key_header.lower() == "authorization":
                headers[self.s.api_key_header] = f"Bearer {key}"
            else:
                headers[self.s.api_key_header] = key
        return headers

    def body(self, request: GenerationRequest) -> dict[str, Any]:
        """The JSON body: target generation params, overridden by the request's own."""
        body: dict[str, Any] = {**self.s.generation, **request.params}
        if self.s.send_seed:
            body.setdefault("seed", request.seed)
        body["model"] = self.s.model
        body["messages"] = build_messages(request.messages, self.s.system_prompt)
        body["stream"] = False
        return body

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        payload = json.dumps(self.body(request)).encode()
        status, headers, raw = await self._http.request(
            "POST", self._url, body=payload, headers=self._headers(), params=self._query
        )
        raise_for_status(status, headers, raw)
        data = parse_json(raw, status=status)
        return parse_chat_completion(data, status=status)


def parse_chat_completion(data: Any, *, status: int | None = None) -> GenerationResponse:
    """Read text, model, finish reason and usage out of a chat-completions answer."""
    try:
        choice = data["choices"][0]
        message = choice["message"]
        text = message.get("content")
    except (KeyError, IndexError, TypeError):
        raise BadResponseError(
            "response has no choices[0].message (not a chat-completions answer?)", status=status
        ) from None
    if text is None:
        # Refusal fields (OpenAI) or tool calls leave content null; keep what explains it.
        text = message.get("refusal") or ""
    if not isinstance(text, str):
        raise BadResponseError("choices[0].message.content is not a string", status=status)
    usage = data.get("usage")
    return GenerationResponse(
        text=text,
        model_version=data.get("model") if isinstance(data.get("model"), str) else None,
        finish_reason=choice.get("finish_reason"),
        usage=usage if isinstance(usage, dict) else None,
    )
