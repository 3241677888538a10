"""A JSON dataset's list and the line each of its items starts on, so an error at an item names
the file's line (and the item's number) as JSONL and YAML errors name theirs: the item's
number alone, given as the line, sent the author to the wrong place in a pretty-printed list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from ..errors import ConfigError

WRAPPERS = ("cases", "data")
"""The keys of an object that holds a dataset's list (``{"cases": [...]}``)."""

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]')
"""Strings (skipped whole, so a bracket inside one is text) and the structural characters."""
_VALUE = re.compile(r"\S")


def dataset_list(data: Any, text: str, source: str) -> tuple[Any, str | None]:
    """The list a JSON dataset holds (itself, or its wrapper object's ``cases`` or ``data``)
    and the wrapper key it was under. An object with both keys is refused at the second: which
    one holds the cases is a guess, and reading one dropped the other without a word."""
    if not isinstance(data, dict):
        return data, None
    present = [key for key in WRAPPERS if key in data]
    if len(present) > 1:
        second = max(present, key=lambda key: _key_at(text, key))
        raise ConfigError.single(
            source,
            "the JSON object holds both 'cases' and 'data': which one lists the cases is not clear",
            line=text.count("\n", 0, max(_key_at(text, second), 0)) + 1,
            hint="keep the cases under one of them (or give the file as a list of objects)",
        )
    if not present:
        return None, None
    return data[present[0]], present[0]


def _key_at(text: str, key: str) -> int:
    """Where ``"key":`` first appears in the text (-1: not written that way)."""
    found = re.search(re.escape(json.dumps(key)) + r"\s*:", text)
    return found.start() if found else -1


def item_lines(text: str, key: str | None) -> list[int]:
    """The line on which each item of the dataset's list starts: the top-level list, or the
    list under ``key`` of the top-level object. The text parsed as JSON already, so it is
    well formed; one pass over its strings and brackets."""
    inside = 1 if key is None else 2  # the depth within the dataset's list
    depth, listing, last_string = 0, False, ""
    starts: list[int] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            if depth == 1:
                last_string = token
            continue
        if first == "," and listing and depth == inside:
            starts.append(_next_value(text, match.end()))
        elif first in "[{":
            depth += 1
            opens = first == "[" and depth == inside and not listing and not starts
            if opens and (key is None or json.loads(last_string or '""') == key):
                listing = True
                starts.append(_next_value(text, match.end()))
        elif first in "]}":
            if listing and depth == inside:
                break
            depth -= 1
    lines: list[int] = []
    line, at = 1, 0
    for start in starts:
        line += text.count("\n", at, start)
        at = start
        lines.append(line)
    return lines


def _next_value(text: str, position: int) -> int:
    found = _VALUE.search(text, position)
    return found.start() if found else position


@contextmanager
def of_item(number: int) -> Iterator[None]:
    """An error raised within names the JSON list's item too (``d.json:10: item 3: ...``):
    its line is where the item starts, which a reader finds in the file; the number is
    which item that is."""
    try:
        yield
    except ConfigError as exc:
        raise ConfigError(
            [
                replace(issue, field=f"item {number}" + (f": {issue.field}" if issue.field else ""))
                for issue in exc.issues
            ]
        ) from None
