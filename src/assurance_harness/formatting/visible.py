"""Text from data (model output above all) shown as what it is, on a terminal and in files
people ``cat``: control characters and bidirectional overrides written as escapes.

A model may answer with terminal escape sequences (clear the screen, a hidden hyperlink) or with
bidirectional overrides that make text read other than it is ("Trojan Source"). Printed raw, a
CI log running ``cat report.md`` or the run's table would act on them. Tabs and newlines are
kept: they are how text is laid out, and each caller decides what a line is.
"""

from __future__ import annotations

import re

_HIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls but tab and newline, DEL, and the bidirectional embeddings, overrides
and isolates (U+202A-U+202E, U+2066-U+2069)."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with each hidden character (see :data:`_HIDDEN`) as ``\\xNN`` or ``\\uNNNN``."""
    return _HIDDEN.sub(_escape, text)


_LINE_BREAKS = re.compile(r"[\t\n\u2028\u2029]")
_BREAK_ESCAPES = {"\t": "\\t", "\n": "\\n"}


def one_line(text: str) -> str:
    """``text`` shown on one line: :func:`visible`, and tabs, newlines and Unicode's line and
    paragraph separators as escapes too (``\\n``), for a line that must not become two (an error
    naming a file whose name holds a newline). Escapes already in ``text`` are left as they are."""
    return _LINE_BREAKS.sub(lambda m: _BREAK_ESCAPES.get(m.group(0)) or _escape(m), visible(text))
