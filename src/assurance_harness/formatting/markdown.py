"""Markdown that renders exactly the text it was given.

Model output, group names, error messages and register text may hold ``<script>``,
``[x](javascript:...)``, ``|`` or a bare URL. Escaping is minimal, so the Markdown people read
stays readable (``toxic_rate <= 0.1 (upper bound)`` is left as it is), and complete, so nothing
from data becomes markup, a link or a broken table.
"""

from __future__ import annotations

import re
from typing import Any

from .visible import visible

# Characters that are Markdown syntax wherever they stand (CommonMark allows a backslash before
# any ASCII punctuation). Everything else is escaped only where it would be syntax.
_MD_ESCAPE = set("\\`*[]|~$")
_LEADING_MARK = re.compile(r"^(\s*)([-=:>#+])")
_LEADING_ORDERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")
_HTML_START = re.compile(r"[A-Za-z/!?]")
"""After '<', these begin raw HTML, a comment or an autolink."""
_ENTITY_START = re.compile(r"[A-Za-z0-9#]")
"""After '&', these may begin a character reference (``&lt;``, ``&#60;``)."""
_AUTOLINKS = (("://", "&#58;//"), ("www.", "www&#46;"), ("@", "&#64;"))
"""GitHub turns bare URLs, ``www.`` names and e-mail addresses into links; an entity stops it
and renders as the same character."""


def _escape_char(text: str, i: int) -> str:
    char = text[i]
    after = text[i + 1] if i + 1 < len(text) else ""
    if char in _MD_ESCAPE:
        return "\\" + char
    if char == "<" and _HTML_START.match(after):
        return "\\<"
    if char == "&" and _ENTITY_START.match(after):
        return "\\&"
    if char == "_":
        # Intraword underscores (snake_case ids) never open or close emphasis.
        before = text[i - 1] if i > 0 else ""
        if not (before.isalnum() and after.isalnum()):
            return "\\_"
    return char


def _one_line(value: Any) -> str:
    """``value`` on one line: hidden characters escaped first (``visible``), then the layout
    left (newlines, tabs, runs of spaces) folded into single spaces. Folded first, what
    ``str.split`` takes for a space and ``visible`` escapes (U+2028, U+2029, U+001C-U+001F,
    U+0085) was lost: a group named "\u2028x" read as "x", another group's name."""
    return " ".join(visible("" if value is None else str(value)).split())


def md_text(value: Any, *, limit: int | None = None) -> str:
    """Inline Markdown that renders exactly ``value`` as text: one line, syntax escaped where
    it would be syntax, no autolinks, safe in a paragraph, at the start of a line and in a
    table cell. ``limit`` shortens long text with an ellipsis."""
    text = _one_line(value)  # newlines would end a table row or start a block
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    escaped = "".join(_escape_char(text, i) for i in range(len(text)))
    for literal, entity in _AUTOLINKS:
        escaped = escaped.replace(literal, entity)
    # A leading '-', '=', '>', '#', '+' or '1. ' would make a list item, a heading or a quote.
    # Only ASCII punctuation can be backslash-escaped, so '1. ' becomes '1\. '.
    escaped = _LEADING_MARK.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped, count=1)
    return _LEADING_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped, count=1)


def md_code(value: Any, *, cell: bool = False) -> str:
    """An inline code span showing ``value`` verbatim that no content can close early.

    ``cell=True`` for a table cell: GitHub tables split on ``|`` even inside code, and drop the
    backslash of ``\\|``; elsewhere a backslash would show, so pipes stay as they are.
    """
    text = _one_line(value)
    if cell:
        text = text.replace("|", "\\|")
    longest = max((len(m.group(0)) for m in re.finditer(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_code_block(value: Any, info: str = "text") -> str:
    """A fenced block that shows ``value`` verbatim (fence longer than any backtick run inside,
    so no content can close it early)."""
    text = visible("" if value is None else str(value))
    longest = max((len(m.group(0)) for m in re.finditer(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured table; cells must already be escaped with ``md_text``."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)
