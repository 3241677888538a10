"""Formatting shared by the Markdown and HTML views: numbers with intervals, and Markdown
escaping that keeps hostile model output (``<script>``, ``[x](javascript:...)``, ``|``) as text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

# Characters that are Markdown syntax wherever they stand (CommonMark allows a backslash before
# any ASCII punctuation). Everything else is escaped only where it would be syntax, so the
# Markdown people read stays readable: ``toxic_rate <= 0.1 (upper bound)`` is left as it is.
_MD_ESCAPE = set("\\`*[]|~$")
_LEADING_MARK = re.compile(r"^(\s*)([-=:>#+])")
_LEADING_ORDERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")
_HTML_START = re.compile(r"[A-Za-z/!?]")
"""After '<', these begin raw HTML, a comment or an autolink."""
_ENTITY_START = re.compile(r"[A-Za-z0-9#]")
"""After '&', these may begin a character reference (``&lt;``, ``&#60;``)."""


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


def md_text(value: Any, *, limit: int | None = None) -> str:
    """Inline Markdown that renders exactly ``value`` as text: one line, syntax characters
    escaped where they would be syntax, safe inside table cells."""
    text = "" if value is None else str(value)
    text = " ".join(text.split())  # newlines would end a table row or start a block
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    escaped = "".join(_escape_char(text, i) for i in range(len(text)))
    # A leading '-', '=', '>', '#', '+' or '1. ' would make a list item, a heading or a quote.
    # Only ASCII punctuation can be backslash-escaped, so '1. ' becomes '1\. '.
    escaped = _LEADING_MARK.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped, count=1)
    return _LEADING_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped, count=1)


def md_code(value: Any) -> str:
    """An inline code span showing ``value`` verbatim (not for table cells: use ``md_text``)."""
    text = " ".join(("" if value is None else str(value)).split())
    longest = max((len(m.group(0)) for m in re.finditer(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_code_block(value: Any, *, info: str = "text") -> str:
    """A fenced block that shows ``value`` verbatim (fence longer than any backtick run inside)."""
    text = "" if value is None else str(value)
    longest = max((len(m.group(0)) for m in re.finditer(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured table; cells must already be escaped with ``md_text``."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def num(value: Any) -> str:
    """A figure with 3 significant digits (``-`` for none)."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return f"{value:.3g}"
    return str(value)


def with_interval(metric: dict[str, Any] | None) -> str:
    """``0.02 [0.005, 0.06] (n=118)``: every figure carries its interval and sample size."""
    if not metric:
        return "-"
    text = num(metric.get("value"))
    if metric.get("ci_low") is not None or metric.get("ci_high") is not None:
        conf = metric.get("confidence") or 0.95
        text += f" [{num(metric.get('ci_low'))}, {num(metric.get('ci_high'))}]"
        text += f" {round(conf * 100):d}% CI"
    return f"{text} (n={num(metric.get('n'))})"


def threshold(gate: dict[str, Any] | None) -> str:
    """``upper bound <= 0.01``."""
    if not gate:
        return "-"
    parts = []
    bound = gate.get("bound") or "point"
    which = {"upper": "upper bound", "lower": "lower bound"}.get(bound, "estimate")
    if gate.get("max") is not None:
        parts.append(f"{which} <= {num(gate['max'])}")
    if gate.get("min") is not None:
        parts.append(f"{which} >= {num(gate['min'])}")
    return " and ".join(parts) or "-"


def when(value: dt.datetime | str | None) -> str:
    """A timestamp to the minute, UTC."""
    if value is None:
        return "-"
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    else:
        parsed = value
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC)
    return parsed.strftime("%Y-%m-%d %H:%M UTC")
