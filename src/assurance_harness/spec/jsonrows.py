"""Rows a JSON reader accepts but that would not be what their file says: a key written twice
in one object (the reader keeps the last), a number JSON has no value for (NaN, Infinity, one
past float's range: recorded as null in cases.jsonl while the run used it), nesting or half a
surrogate pair that nothing after the reader can hold.

Each is looked for first in the row's text with a character count or search, and the parsed
row walked (or the text parsed again) only where the text may hold one: a typical row costs
about 1 us of the 20 us its loading takes."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..errors import ConfigError

MAX_DEPTH = 100
"""Deepest nesting of JSON lists and objects in a row (as for YAML suites): a row nested
thousands deep breaks the JSON reader, and hundreds deep breaks writing it back."""
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_KEY_END = re.compile(r'"\s*:')
"""Where a key ends. Every key of an object ends so, once; so does a string holding ``":``,
which is why a text with more of these than its row has keys is parsed again to be sure."""


class NotFiniteError(ValueError):
    """A number in JSON text that float cannot hold: NaN, Infinity, or one past its range."""

    def __init__(self, written: str) -> None:
        super().__init__(written)
        self.written = written


def _finite(written: str) -> float:
    value = float(written)
    if not math.isfinite(value):
        raise NotFiniteError(written)
    return value


def _no_constant(written: str) -> Any:
    raise NotFiniteError(written)


DECODER = json.JSONDecoder(parse_float=_finite, parse_constant=_no_constant)
"""A JSON reader that refuses NaN, Infinity and numbers past float's range (1e999 was read as
inf) with ``NotFiniteError``: a row's numbers are what cases.jsonl can record."""


class Suspects:
    """What the text a row was parsed from may hold, each looked for once in that text: a JSON
    list's items share their file's (looking in the whole file again for each item made a list
    of 20,000 rows take 17 s to load)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.deep = text.count("[") + text.count("{") > MAX_DEPTH
        self.surrogate = _SURROGATE_ESCAPE.search(text) is not None
        self.colons = text.count(":")
        """Every key is followed by one (a string may hold more)."""


def check_row(row: Any, suspects: Suspects, source: str, line: int) -> None:
    """Refuse, at ``line``, a row nested past MAX_DEPTH or holding half a surrogate pair (an
    emoji cut in two, which no UTF-8 file can store). Keys written twice are
    ``may_repeat_keys``'s and numbers JSON cannot hold ``DECODER``'s: a parsed row no longer
    shows them."""
    if suspects.deep and depth(row) > MAX_DEPTH:
        raise ConfigError.single(
            source, f"JSON nested more than {MAX_DEPTH} levels deep", line=line, hint="flatten it"
        )
    if suspects.surrogate:
        try:
            json.dumps(row, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ConfigError.single(
                source,
                "a \\uD800-\\uDFFF escape is half of a surrogate pair (an emoji cut in two?)",
                line=line,
                hint="write the whole character, or remove the escape",
            ) from None


def may_repeat_keys(value: Any, suspects: Suspects) -> bool:
    """Whether ``value``, parsed from the text ``suspects`` looked at, may have lost a key
    written twice: the text ends more keys than it holds. A flat object whose strings hold no
    colon is answered without a walk (most JSONL rows)."""
    if isinstance(value, dict) and suspects.colons == len(value):
        return False
    keys = _key_count(value)
    return suspects.colons != keys and len(_KEY_END.findall(suspects.text)) != keys


def repeated_key(text: str) -> tuple[int, str] | None:
    """The first key written twice in one object of ``text`` (a JSON value that parses), as the
    position of the top-level item holding it (0 for a JSONL row, which is one object) and the
    key; None where no object repeats a key."""
    repeats: dict[int, str] = {}

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        made = dict(pairs)
        if len(made) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    repeats[id(made)] = key
                    break
                seen.add(key)
        return made

    parsed = json.loads(text, object_pairs_hook=pairs_hook)
    if not repeats:
        return None
    items = parsed if isinstance(parsed, list) else [parsed]
    for index, item in enumerate(items):
        stack = [item]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                if id(value) in repeats:
                    return index, repeats[id(value)]
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
    return None


def depth(value: Any) -> int:
    """How deeply lists and objects nest, without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in item)
    return deepest


def _key_count(value: Any) -> int:
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count
