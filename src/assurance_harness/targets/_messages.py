"""Message helpers the targets share, with no HTTP client behind them.

Kept apart from ``_http_common`` so that the callable, replay and transformers targets do not
import aiohttp (about half a second of a short run's start-up).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

ERROR_SHOWN = 300
"""How much of an error object's message a record keeps."""


def get_path(data: Any, path: str) -> Any:
    """Follow a dotted path with list indexes (``output.choices.0.text``); KeyError if absent."""
    current = data
    for part in path.split(".") if path else []:
        if type(current) is dict:  # JSON's objects: a Mapping, without the ABC check
            if part not in current:
                raise KeyError(path)
            current = current[part]
        elif isinstance(current, list):
            try:
                current = current[int(part)]
            except (ValueError, IndexError) as exc:
                raise KeyError(path) from exc
        elif isinstance(current, Mapping) and part in current:
            current = current[part]
        else:
            raise KeyError(path)
    return current


def build_messages(
    messages: list[dict[str, str]], system_prompt: str | None
) -> list[dict[str, str]]:
    """Prepend the target's system prompt (``model.with_system_prompt``'s rule)."""
    from ..datatypes import with_system_prompt

    return with_system_prompt(messages, system_prompt)


def last_user_text(messages: list[dict[str, str]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return message.get("content", "")
    return ""


def json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words (``an object``, ``null``), for a message that
    says a value is not the text expected."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a boolean" if isinstance(value, bool) else "a number"


def one_line(text: str) -> str:
    """``text`` on one line, cut to what a record keeps of a message."""
    return " ".join(text.split())[:ERROR_SHOWN]


def finish_reason_text(value: Any) -> str | None:
    """How an answer ended, as a results row records it: text as the endpoint spelled it; a
    one-element list of text (Gemini's ``["MAX_TOKENS"]``) as that text; None for nothing
    (null). Any other value (a number, an object, another list, a boolean) is one no provider's
    spelling holds: kept as its JSON text (cut to :data:`ERROR_SHOWN` characters), so it is
    seen, and ``formatting.figures.incomplete_meaning`` reads that text as an answer that may
    not be complete, rather than dropping it and reading the answer as a normal stop."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str) and value[0]:
        return value[0]
    try:
        text = json.dumps(value, default=str)
    except (ValueError, RecursionError):  # nested as deep as the parser allowed
        text = "[...]" if isinstance(value, list) else "{...}"
    return text[:ERROR_SHOWN]


def error_said(data: Any) -> str | None:
    """The message of an OpenAI-style ``{"error": ...}`` object some servers and proxies send
    with a 200 (an overloaded backend, a model still loading): the server's own reason, which
    "nothing at the response path" alone would lose."""
    error = data.get("error") if isinstance(data, dict) else None
    said = error.get("message") if isinstance(error, dict) else error
    if says_nothing(said) or isinstance(said, bool):
        return None
    return one_line(said if isinstance(said, str) else json.dumps(said))


def says_nothing(value: Any) -> bool:
    """Whether an error field's value is what APIs that always send the key send on success:
    null, false, 0, text with nothing but white space in it, an empty object or list, or an
    object or list whose every value says nothing (``{"code": 0, "message": ""}``). ``true``,
    any other number, text, or a field that says something (``{"code": 502}``) is an error.
    Read level by level, at most :data:`_NOTHING_DEPTH` deep (deeper is something)."""
    level = [value]
    for _ in range(_NOTHING_DEPTH):
        inner: list[Any] = []
        for each in level:
            if isinstance(each, dict):
                inner.extend(each.values())
            elif isinstance(each, list):
                inner.extend(each)
            elif not (
                each is None
                or (isinstance(each, str) and not each.strip())
                or (isinstance(each, int | float) and each == 0)  # false too: a bool is an int
            ):
                return False
        if not inner:
            return True
        level = inner
    return False


_NOTHING_DEPTH = 8
"""How deep :func:`says_nothing` reads an error object (APIs' are one or two levels)."""


def error_value_said(error: Any) -> str | None:
    """What an error field holds beside an answer, one line: its ``message`` (or its text),
    else its JSON; None where it says nothing (:func:`says_nothing`: null, false, 0, blank
    text, an empty object or list, or one whose every field says nothing, as APIs that always
    send the key send it on success). Text beside an error that says something is a proxy's
    fallback or a half-failed upstream's, not an answer to score."""
    if says_nothing(error):
        return None
    return error_said({"error": error}) or one_line(
        json.dumps(error, ensure_ascii=False, default=str)
    )
