"""Message helpers the targets share, with no HTTP client behind them.

Kept apart from ``_http_common`` so that the callable, replay and transformers targets do not
import aiohttp (about half a second of a short run's start-up).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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
