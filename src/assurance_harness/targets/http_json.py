"""The ``http`` target: a generic JSON endpoint described by a body template and a response path,
for in-house model services that do not speak the OpenAI protocol.

Template placeholders: a string that is exactly ``"{name}"`` is replaced by the value itself
(so ``"{messages}"`` becomes the list and ``"{max_tokens}"`` stays a number); placeholders
inside longer strings are replaced by their text. Names: ``prompt`` (the last user turn),
``messages``, ``system_prompt``, ``case_id``, ``sample``, ``seed``, ``params`` (all generation
parameters as an object) and every generation parameter by its own name (``max_tokens``,
``temperature`` ...).

The template is checked before anything is sent (``validate`` and ``run``, exit 2): a body that
never places ``{prompt}`` or ``{messages}`` in a value would send every case the same request
(answers scored against prompts never sent); ``${NAME}`` is not read from the environment here
(keys go in ``headers``); a name no request has (not one of the above, nor a generation
parameter of the target or the suite) would fail every request.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterator
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from ..datatypes import GenerationRequest, GenerationResponse
from ..errors import ConfigError
from ..urls import ENV_REF, check_no_pasted_key, check_reference_names, check_url
from ._http_common import HttpTargetSpec, JsonHttpTarget, check_headers
from ._messages import (
    build_messages,
    error_said,
    error_value_said,
    finish_reason_text,
    get_path,
    json_kind,
    last_user_text,
)
from .base import BadResponseError, TargetError, TargetSpec, register_target

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

REQUEST_VALUES = ("prompt", "messages", "system_prompt", "case_id", "sample", "seed", "params")
"""The names every request fills (``render_body``), besides the generation parameters."""

CONVERSATION = ("prompt", "messages")
"""The names that carry a case's conversation: a body without one in a value measures nothing."""


class TemplateError(TargetError):
    """The body template names a value this request does not have (not retryable)."""

    kind = "template_error"


class HttpJsonSpec(HttpTargetSpec):
    """A JSON-over-HTTP endpoint with a request template and a path to the answer."""

    type: str = "http"
    """Adapter name: ``http``."""
    url: str
    """Full URL of the endpoint. Its query may reference environment variables as ``${NAME}``
    (``?key=${GEMINI_KEY}``, for an endpoint that takes its key only there): resolved per
    request, so manifests, reports and error messages show the name, never the value."""
    method: Literal["POST", "PUT", "PATCH"] = "POST"
    """HTTP method."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra headers; values may reference environment variables as ``${NAME}`` (for keys),
    resolved per request and never stored."""
    body: Any = Field(default_factory=lambda: {"prompt": "{prompt}"})
    """The JSON body with placeholders, for example
    ``{"input": {"messages": "{messages}"}, "max_new_tokens": "{max_tokens}"}``."""
    response_path: str
    """Dotted path to the response text, with list indexes: ``output.choices.0.text``."""
    model_version_path: str | None = None
    """Dotted path to the model identifier in the answer, recorded as evidence."""
    finish_reason_path: str | None = None
    """Dotted path to how the answer ended (``output.stop_reason``), recorded with each answer:
    one the API cut off at its token limit (``length``, Gemini's ``MAX_TOKENS``), filtered
    (``content_filter``, ``SAFETY``, ``refusal``) or ended by an error (``abort``), in any
    provider's spelling and case (``formatting.figures.INCOMPLETE``), is counted and shown as
    not complete rather than read as a whole answer. Text is kept as given, a one-element list
    of text (Gemini's ``["MAX_TOKENS"]``) as that text, another value as its JSON (and marked
    as an answer that may not be complete); nothing there: not known."""
    error_path: str | None = "error"
    """Dotted path to where the API puts an error (default: the top-level ``error``): where it
    holds something (not null, false, 0, blank text, nor an object or list whose every field is
    one of these), the case fails ``bad_response`` with that message even if there is text at
    ``response_path`` (a proxy's fallback, a half-failed upstream), rather than the text being
    scored as the answer. ``null``: the API's replies have
    no error field, or one that is not an error; nothing is read there."""
    system_prompt: str | None = None
    """Prepended to ``{messages}`` as a system turn, and available as ``{system_prompt}``."""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value, example="https://models.example.org/generate", query_refs=True)

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        return check_headers(value)

    @field_validator("body")
    @classmethod
    def _body(cls, value: Any) -> Any:
        check_body(value)
        return value


def _strings(template: Any, *, keys: bool) -> Iterator[str]:
    """The template's string values (``keys``: its keys instead), through dicts and lists."""
    if isinstance(template, str) and not keys:
        yield template
    elif isinstance(template, dict):
        for key, value in template.items():
            if keys and isinstance(key, str):
                yield key
            yield from _strings(value, keys=keys)
    elif isinstance(template, list):
        for value in template:
            yield from _strings(value, keys=keys)


def placeholders(template: Any) -> set[str]:
    """The names the template's values use (keys are sent as written, never filled)."""
    return {name for text in _strings(template, keys=False) for name in _PLACEHOLDER.findall(text)}


_KEY_IN_A_HEADER = (
    "send the key in a header from an environment variable (headers: {Authorization: "
    "'Bearer ${VAR}'}, or the header your endpoint takes), resolved per request and never written"
)


def check_body(template: Any) -> None:
    """Refuse (ValueError, located at ``body``) a template that cannot measure anything: one
    that reads an environment variable, or never places the conversation."""
    for text in [*_strings(template, keys=False), *_strings(template, keys=True)]:
        check_reference_names(text, where="the body")  # its message below names the reference
        env = ENV_REF.search(text)
        if env:
            raise ValueError(
                f"'{env.group(0)}': environment variables are not read in the body; send a "
                f"key in headers (headers: {{Authorization: 'Bearer {env.group(0)}'}}), whose "
                "${NAME} are resolved per request and never written"
            )
    check_no_pasted_key(template, fix=_KEY_IN_A_HEADER)
    used = placeholders(template)
    if not used & set(CONVERSATION):
        raise ValueError(
            "no value of the body holds {prompt} or {messages}: every case would send the "
            "same request, and its answers be scored as answers to prompts never sent; put "
            'one in a value, as in {"input": "{prompt}"}' + _why_not(template, used)
        )


def _why_not(template: Any, used: set[str]) -> str:
    """What the body holds instead, for the message: a name no request has (``{prompt_text}``)
    or a placeholder in a key."""
    unknown = sorted(used - set(REQUEST_VALUES))
    if unknown:
        return f" (it uses {{{unknown[0]}}}, not a value the harness fills)"
    if any(_PLACEHOLDER.search(key) for key in _strings(template, keys=True)):
        return " (a placeholder in a key is sent as written)"
    return ""


def render(template: Any, values: dict[str, Any]) -> Any:
    """Substitute placeholders through nested dicts and lists; see the module docstring."""
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole:
            return _lookup(values, whole.group(1))

        def text(match: re.Match[str]) -> str:
            value = _lookup(values, match.group(1))
            return value if isinstance(value, str) else json.dumps(value)

        return _PLACEHOLDER.sub(text, template)
    if isinstance(template, dict):
        return {key: render(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [render(value, values) for value in template]
    return template


def _lookup(values: dict[str, Any], name: str) -> Any:
    if name not in values:
        raise TemplateError(
            f"body template uses {{{name}}} but the request has no such value "
            f"(set it under generation, or remove it from the template)"
        )
    return values[name]


_MISSING = object()
"""Nothing at the response path (a JSON null is there, and is not text either)."""


@register_target
class HttpJsonTarget(JsonHttpTarget):
    """A generic JSON endpoint: a request body template and a path to the response text."""

    type: ClassVar[str] = "http"
    Spec = HttpJsonSpec

    def __init__(self, spec: TargetSpec, *, base_dir: str = ".") -> None:
        super().__init__(spec, base_dir=base_dir)
        assert isinstance(spec, HttpJsonSpec)
        self.s: HttpJsonSpec = spec

    @property
    def extra_headers(self) -> dict[str, str]:
        return self.s.headers

    def endpoint(self) -> str | None:
        return self.s.url

    def check_params(self, names: Collection[str]) -> None:
        unknown = sorted(placeholders(self.s.body) - {*REQUEST_VALUES, *self.s.generation, *names})
        if unknown:
            source, line = self.located("body")
            raise ConfigError.single(
                source,
                f"the body template uses {{{unknown[0]}}}, which no request has",
                line=line,
                field="body",
                hint=f"use one of {', '.join(REQUEST_VALUES)}, or a generation parameter "
                "set under generation (in the target or the suite)",
            )

    @property
    def reads_case_id(self) -> bool:  # type: ignore[override]
        """Whether the body template sends the case's id (``{case_id}``): the endpoint may
        then answer two cases of one conversation differently."""
        return "case_id" in placeholders(self.s.body)

    def render_body(self, request: GenerationRequest) -> Any:
        params = {**self.s.generation, **request.params}
        values: dict[str, Any] = dict(params)
        values.update(
            prompt=last_user_text(request.messages),
            messages=build_messages(request.messages, self.s.system_prompt),
            system_prompt=self.s.system_prompt or "",
            case_id=request.case_id,
            sample=request.sample,
            seed=request.seed,
            params=params,
        )
        return render(self.s.body, values)

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        status, data = await self._http.request_json(
            self.s.method,
            self.s.url,
            body=self.render_body(request),
            headers=self.request_headers(),
        )
        try:
            text = get_path(data, self.s.response_path)
        except KeyError:
            text = _MISSING
        beside = self._error(data)
        if beside is not None and isinstance(text, str):
            raise BadResponseError(
                f"the endpoint answered with an error at '{self.s.error_path}' beside its "
                f"text: {beside}; the text at '{self.s.response_path}' is not scored as an "
                "answer (set error_path: null in the target if that field is no error)",
                status=status,
            )
        if not isinstance(text, str):
            said = beside or error_said(data)
            if said:  # the server's own reason, where it gave one
                raise BadResponseError(
                    f"the endpoint answered with an error instead of an answer: {said}",
                    status=status,
                )
            path = self.s.response_path
            raise BadResponseError(
                f"response has nothing at '{path}'"
                if text is _MISSING
                else f"'{path}' is {json_kind(text)}, not text",
                status=status,
            )
        model_version = None
        if self.s.model_version_path:
            try:
                found = get_path(data, self.s.model_version_path)
                model_version = str(found) if found is not None else None
            except KeyError:
                model_version = None
        return GenerationResponse(
            text=text, model_version=model_version, finish_reason=self._finish_reason(data)
        )

    def public_config(self) -> dict[str, Any]:
        data = super().public_config()
        if data.get("finish_reason_path") is None:
            # Left out when not set, so targets written before it existed keep their
            # fingerprint (response cache, baselines, a run started before resumes).
            data.pop("finish_reason_path", None)
        if data.get("error_path") == "error":
            data.pop("error_path", None)  # the default, likewise: the fingerprint as before
        return data

    def cache_fingerprint(self) -> str:
        """The fingerprint with ``error_path`` in it, the default too: answers cached by a
        version that read no error beside the text (under this same fingerprint, which leaves
        the default out) were served to this one, and a proxy's fallback beside an error was
        counted as the model's answer. Those entries now miss once; each is sent again and read
        by the rule."""
        blob = json.dumps(
            {"fingerprint": self.fingerprint(), "error_path": self.s.error_path}, sort_keys=True
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def _error(self, data: Any) -> str | None:
        """What the reply holds at ``error_path``, one line (None: not set, nothing there, or
        an error that says nothing)."""
        if not self.s.error_path:
            return None
        try:
            found = get_path(data, self.s.error_path)
        except KeyError:
            return None
        return error_value_said(found)

    def _finish_reason(self, data: Any) -> str | None:
        """The answer's finish reason at ``finish_reason_path`` (None: not set, or nothing
        there), read by :func:`~._messages.finish_reason_text`: a one-element list of text
        (Gemini's ``["MAX_TOKENS"]``) as that text; another value that is not text (an API's
        numeric code, an object) kept as its JSON, so it is counted as what it is rather than
        dropped, and marked as an answer that may not be complete."""
        if not self.s.finish_reason_path:
            return None
        try:
            found = get_path(data, self.s.finish_reason_path)
        except KeyError:
            return None
        if found is None or found == "":
            return None
        return finish_reason_text(found)
