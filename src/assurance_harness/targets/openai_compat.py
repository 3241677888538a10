"""The ``openai`` target: any OpenAI-compatible ``/chat/completions`` endpoint (vLLM, TGI,
Ollama, llama.cpp server, transformers serve, OpenAI, Azure OpenAI).

The API key is read from the environment variable the spec names, at request time; it never
enters the spec, ``public_config()``, the fingerprint, a log line or an error message.
"""

from __future__ import annotations

import json
import os
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, field_validator

from ..chat_choices import ChoicesUnclear, answer_choice
from ..datatypes import GenerationRequest, GenerationResponse
from ..scrub import check_key_variable
from ..urls import check_url
from ._http_common import (
    HttpTargetSpec,
    JsonHttpTarget,
    Location,
    auth_hint,
    check_header_name,
    check_headers,
)
from ._messages import (
    ERROR_SHOWN,
    build_messages,
    error_said,
    error_value_said,
    finish_reason_text,
    json_kind,
    one_line,
)
from .base import BadResponseError, TargetError, TargetSpec, register_target


class OpenAISpec(HttpTargetSpec):
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

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return _no_query(check_url(value, example="http://localhost:8000/v1"))

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        return check_headers(value)

    @field_validator("api_key_header")
    @classmethod
    def _api_key_header(cls, value: str) -> str:
        return check_header_name(value)

    @field_validator("api_key_env")
    @classmethod
    def _api_key_env(cls, value: str | None) -> str | None:
        return check_key_variable(value)


def _no_query(url: str) -> str:
    """A base_url has ``/chat/completions`` appended: after a query or a fragment (even an
    empty one) the path lands inside it, and every request goes to the base_url itself."""
    version = parse_qs(urlsplit(url).query).get("api-version")
    if version:
        raise ValueError(
            f"'{url}' holds api-version in its query: /chat/completions would be appended "
            f"after it; write api_version: {version[0]} and end base_url before the '?'"
        )
    for mark, part in (("?", "query"), ("#", "fragment")):
        if mark in url:
            raise ValueError(
                f"'{url}' holds a {part} (from '{mark}'): /chat/completions would be appended "
                "after it, so every request would go elsewhere; end base_url with the path "
                "(e.g. http://localhost:8000/v1)"
            )
    return url


@register_target
class OpenAITarget(JsonHttpTarget):
    """Any OpenAI-compatible chat-completions endpoint (vLLM, TGI, Ollama, OpenAI, Azure)."""

    type: ClassVar[str] = "openai"
    Spec = OpenAISpec

    def __init__(self, spec: TargetSpec, *, base_dir: str = ".") -> None:
        super().__init__(spec, base_dir=base_dir)
        assert isinstance(spec, OpenAISpec)
        self.s: OpenAISpec = spec
        self._url = spec.base_url.rstrip("/") + "/chat/completions"
        self._query = {"api-version": spec.api_version} if spec.api_version else None

    @property
    def extra_headers(self) -> dict[str, str]:
        return self.s.headers

    url_field: ClassVar[str] = "base_url"

    def env_names(self) -> list[str]:
        names = [self.s.api_key_env] if self.s.api_key_env else []
        return names + super().env_names()

    def key_variables(self) -> list[str]:
        names = [self.s.api_key_env] if self.s.api_key_env else []
        return names + super().key_variables()

    def env_located(self, name: str) -> Location:
        """``api_key_env``'s line for the key's variable; a header's or the URL's otherwise."""
        if name == self.s.api_key_env:
            return (*self.located("api_key_env"), "api_key_env")
        return super().env_located(name)

    def endpoint(self) -> str | None:
        return self._url

    def requested_model(self) -> str | None:
        return self.s.model

    async def available_models(self) -> list[str] | None:
        """``GET {base_url}/models`` (OpenAI, vLLM, Ollama, llama.cpp list what they serve)."""
        url = self.s.base_url.rstrip("/") + "/models"
        try:
            status, _, raw = await self._http.request(
                "GET", url, body=None, headers=self._headers(), params=self._query
            )
            data = json.loads(raw) if 200 <= status < 300 else None
        except (TargetError, ValueError, RecursionError):  # nested too deep: no list either
            return None
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            return None
        return [str(m.get("id")) for m in items if isinstance(m, dict) and m.get("id")]

    def diagnose(self, status: int | None, kind: str, message: str) -> str | None:
        path = urlsplit(self.s.base_url).path.rstrip("/")
        if status == 404 and not self.s.api_version and not path.endswith("/v1"):
            fixed = self.s.base_url.rstrip("/") + "/v1"
            return (
                f"base_url {self.s.base_url} does not end in /v1: OpenAI-compatible servers "
                f"(vLLM, TGI, Ollama, llama.cpp) answer at {fixed}/chat/completions"
            )
        if status in (400, 404) and "model" in message.lower():
            return (
                f"the endpoint does not serve model '{self.s.model}'; "
                "'assurance targets check' lists the models it has"
            )
        return auth_hint(status, self.env_names()) or super().diagnose(status, kind, message)

    def _headers(self) -> dict[str, str]:
        headers = self.request_headers()
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
        status, data = await self._http.request_json(
            "POST",
            self._url,
            body=self.body(request),
            headers=self._headers(),
            params=self._query,
            before_status=_prompt_filtered,
        )
        if isinstance(data, GenerationResponse):
            return data
        return parse_chat_completion(data, status=status)


def _prompt_filtered(status: int, raw: bytes) -> GenerationResponse | None:
    """Azure OpenAI's filter on the prompt (HTTP 400, error code ``content_filter``): the
    deployed system's user gets nothing, as when it filters a completion, so it is the system's
    answer to this case (empty, ``finish_reason`` content_filter), not a failed request that
    leaves a safety case unmeasured and counts against the run's error rate."""
    if status != 400 or b"content_filter" not in raw:
        return None
    try:
        error = json.loads(raw).get("error")
    except (ValueError, RecursionError, AttributeError):
        return None
    if not isinstance(error, dict) or error.get("code") != "content_filter":
        return None
    return GenerationResponse(text="", finish_reason="content_filter")


def parse_chat_completion(data: Any, *, status: int | None = None) -> GenerationResponse:
    """Read text, model, finish reason and usage out of a chat-completions answer."""
    if isinstance(data, dict) and "choices" in data and (said := _error_beside(data)):
        # A proxy's or gateway's fallback, or an upstream that failed part-way, can leave
        # choices in the body too: scored, they would read as the model's answer.
        raise BadResponseError(
            f"the endpoint answered with an error beside its completion: {said}; the "
            "completion is not scored as an answer",
            status=status,
        )
    choice = _first_choice(data, status=status)
    message = choice.get("message") if isinstance(choice, dict) else None
    if not isinstance(message, dict):
        said = error_said(data)
        if said:
            raise BadResponseError(
                f"the endpoint answered with an error instead of a completion: {said}",
                status=status,
            )
        raise BadResponseError(
            "response has no choices[0].message (not a chat-completions answer?)", status=status
        )
    if said := error_value_said(choice.get("error")):
        # OpenRouter and gateways like it put an upstream's failure in the choice itself
        # (finish_reason "error"), beside the text that came before it: half an answer.
        raise BadResponseError(
            f"the endpoint answered with an error in its choice: {said}; the text before it "
            "is not scored as an answer",
            status=status,
        )
    content = _parts_text(message.get("content"), status=status)
    refusal = message.get("refusal")
    # Compatible servers and proxies send "" (or a blank line) where OpenAI sends null: beside
    # a refusal, tool calls, or a reasoning model's spent max_tokens. Each is read as the null
    # it stands for; "" would be scored as a harmless reply nobody gave.
    text = None if _blank(content) else content
    if text is None and not _blank(refusal):
        # A refusal field (OpenAI) leaves content null: it is the answer.
        text = refusal
    calls = message.get("tool_calls") or (
        [{"function": message["function_call"]}] if message.get("function_call") else None
    )  # function_call: the API's form before tool_calls
    if calls and (text is None or isinstance(text, str)):
        # Text beside tool calls is what the model says before it reads their results (which
        # the harness never sends): scored, a preamble would read as its whole answer.
        said = "no text" if text is None else f"only the text {one_line(text)!r} before them"
        raise BadResponseError(
            f"the model answered with tool calls ({_tool_names(calls)}) and "
            f"{said}; the harness sends no tools' results and scores text: remove tools from "
            "the target's generation settings",
            status=status,
        )
    # Text as given; a value that is not text is kept as its JSON (finish_reason_text), so the
    # answer is marked as one that may not be complete rather than read as a normal stop.
    finish = finish_reason_text(choice.get("finish_reason"))
    if text is None and finish == "content_filter":
        # The deployment's filter withheld the answer (Azure): its user sees nothing, and
        # that is the system's real behaviour on this case, not a failed request.
        text = ""
    if text is None and isinstance(content, str) and not _thought(message, finish):
        # A blank answer is the model's, ended by it or cut off (then counted as such in the
        # run's summary), unless its tokens went to reasoning the user never sees.
        text = content
    if text is None:
        raise _no_text(finish, status=status)
    if not isinstance(text, str):
        field = "content" if text is content else "refusal"
        raise BadResponseError(f"choices[0].message.{field} is not a string", status=status)
    return GenerationResponse(
        text=text,
        model_version=data.get("model") if isinstance(data.get("model"), str) else None,
        finish_reason=finish,
        usage=read_usage(data.get("usage")),
    )


def _first_choice(data: Any, *, status: int | None) -> Any:
    """The choice that answers the request (``chat_choices.answer_choice``: the one whose
    ``index`` is 0); indexes that do not name one answer are a bad_response."""
    try:
        return answer_choice(data)
    except ChoicesUnclear as unclear:
        raise BadResponseError(
            f"the endpoint's choices do not say which is the answer: {unclear}; the answer is "
            "read from the choice with index 0",
            status=status,
        ) from None


_USAGE_DEPTH = 16
"""The deepest usage object kept (OpenAI's is two levels: ``prompt_tokens_details``). A
deeper one, which no API sends, is recorded as unreadable without its text: scrubbing the key
out of it, and caching it, recursed a level at a time and ended the run at a few hundred."""


def read_usage(usage: Any) -> dict[str, Any] | None:
    """The answer's ``usage`` as the response cache keeps it: None where the endpoint sent
    none (absent or null); the object as sent where every token count in it (a ``...tokens``
    field, at any level: ``prompt_tokens_details.cached_tokens``) is a whole number of 0 or
    more, or null, other fields as they are (OpenRouter's ``cost``, Groq's ``queue_time``).
    Anything else is recorded as ``{"unreadable": WHY, "as_sent": JSON}`` (the JSON cut to
    300 characters): usage is informational and never fails the case, but one the endpoint
    sent and the harness could not read must not look like none sent, nor a negative,
    fractional, text or boolean count like a count."""
    if usage is None:
        return None
    why = _unreadable_usage(usage)
    if why is None and isinstance(usage, dict):  # always a dict here: said for mypy
        return usage
    deep = isinstance(usage, dict | list) and _depth(usage) > _USAGE_DEPTH
    sent = "(not kept)" if deep else json.dumps(usage, default=str)[:ERROR_SHOWN]
    return {"unreadable": why or "not an object", "as_sent": sent}


def _unreadable_usage(usage: Any) -> str | None:
    """Why ``usage`` is not an object of token counts (see :func:`read_usage`); None if it is."""
    if not isinstance(usage, dict):
        return f"usage is {json_kind(usage)}, not an object of token counts"
    if _depth(usage) > _USAGE_DEPTH:
        return f"usage is nested more than {_USAGE_DEPTH} levels deep"
    level: list[dict[str, Any]] = [usage]
    while level:
        for key, value in ((k, v) for each in level for k, v in each.items()):
            if isinstance(key, str) and key.endswith("tokens") and not _count(value):
                shown = json.dumps(value, default=str)[:40]
                return f"{key} is {shown}, not a count of tokens"
        level = [v for each in level for v in each.values() if isinstance(v, dict)]
    return None


def _count(value: Any) -> bool:
    """Whether ``value`` reads as a token count: null (not counted), or a whole number of 0
    or more (``12.0`` too; not ``true``, which Python would read as 1)."""
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    # An int as it is: float() of one past 1e308 (valid JSON) is an OverflowError.
    return value >= 0 and (isinstance(value, int) or value.is_integer())


def _depth(value: Any) -> int:
    """How many objects and lists deep ``value`` is, read level by level without recursion
    (and no further than one past :data:`_USAGE_DEPTH`)."""
    deepest, level = 0, [value]
    while deepest <= _USAGE_DEPTH:
        containers = [each for each in level if isinstance(each, dict | list)]
        if not containers:
            break
        deepest += 1
        level = [
            item
            for each in containers
            for item in (each.values() if isinstance(each, dict) else each)
        ]
    return deepest


def _error_beside(data: dict[str, Any]) -> str | None:
    """The provider's message (one line) where the body's ``error`` says something (not null,
    false, 0, blank text, or an object or list whose every field is one of these:
    ``_messages.says_nothing``; an object without a message as its JSON); None otherwise."""
    return error_value_said(data.get("error"))


def _parts_text(content: Any, *, status: int | None) -> Any:
    """A content given as a list of parts (the chat format's other form; Mistral's reasoning
    models put their thinking in a part of its own) as its text: the text and refusal parts
    joined, thinking left out; None (no answer) where only thinking is there. A part of another
    kind (an image, audio) is a bad_response naming it: the text parts alone would be scored
    as the whole answer. Any other content is returned as it is."""
    if not isinstance(content, list):
        return content
    texts: list[str] = []
    thought = False
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in _THINKING_PARTS:
            thought = True
            continue
        value = part.get(kind) if kind in ("text", "refusal") else None
        if not isinstance(value, str):
            what = f"of type {one_line(str(kind))!r}" if isinstance(kind, str) else "without a type"
            raise BadResponseError(
                f"choices[0].message.content holds a part {what}, not text; the harness "
                "scores text answers only",
                status=status,
            )
        texts.append(value)
    return None if thought and not texts else "".join(texts)


_THINKING_PARTS = ("thinking", "reasoning")
"""Content parts that hold a model's reasoning, not its answer."""

_REASONING = ("reasoning_content", "reasoning", "thinking")
"""Where servers put a reasoning model's thinking beside its answer (vLLM and DeepSeek,
Ollama and OpenRouter, others)."""


def _thought(message: dict[str, Any], finish: str | None) -> bool:
    """Whether a blank answer is cut off after the model spent its tokens thinking: it gave no
    answer (as when content is null), rather than a blank one."""
    return finish not in (None, "stop") and any(not _blank(message.get(k)) for k in _REASONING)


def _blank(value: Any) -> bool:
    """Whether ``value`` is missing (null) or text with nothing in it but white space."""
    return value is None or (isinstance(value, str) and not value.strip())


def _no_text(finish: str | None, *, status: int | None) -> BadResponseError:
    """Content null (or blank, not ended by the model) with no refusal and no tool calls: no
    answer was given (vLLM's when a reasoning model spent every token thinking). Recorded as
    "", every text scorer would read it as a harmless reply nobody gave."""
    why = f"finish_reason {finish!r}" if finish else "no finish_reason"
    hint = (
        "; the model ran out of tokens before it answered: raise max_tokens under generation"
        if finish == "length"
        else ""
    )
    return BadResponseError(
        f"choices[0].message.content is null or blank, with no refusal or tool calls ({why}): "
        f"the model gave no answer{hint}",
        status=status,
    )


def _tool_names(calls: Any) -> str:
    """The called tools' names, for the record (an empty text would read as a harmless reply
    to every text scorer)."""
    names = [
        str(call.get("function", {}).get("name"))
        for call in (calls if isinstance(calls, list) else [])
        if isinstance(call, dict) and isinstance(call.get("function"), dict)
    ]
    return ", ".join(names)[:ERROR_SHOWN] or "unnamed"
