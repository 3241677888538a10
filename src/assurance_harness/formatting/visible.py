"""Text from data (model output above all) shown as what it is, on a terminal and in files
people ``cat``: control characters and bidirectional overrides written as escapes; and the one
line of an error, which shows every character a reader cannot see.

A model may answer with terminal escape sequences (clear the screen, a hidden hyperlink) or with
bidirectional overrides that make text read other than it is ("Trojan Source"). Printed raw, a
CI log running ``cat report.md`` or the run's table would act on them. Tabs and newlines are
kept: they are how text is laid out, and each caller decides what a line is. Other characters
that show as nothing or as another (a zero-width joiner, a no-break space, a right-to-left mark)
are how text is written (an emoji sequence, French and Arabic text) and stay as they are in
data; an error line (:func:`one_line`) escapes them too, since it must say exactly which name
is wrong. Every view writes these escapes, the HTML pages too (``pagetext.page_text``).
"""

from __future__ import annotations

import re

_HIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls but tab and newline, DEL, Unicode's line and paragraph separators
(U+2028, U+2029: a break to some readers, nothing or a space to others, so a group named
"\u2028x" read as "x" in Markdown), and the bidirectional embeddings, overrides and isolates
(U+202A-U+202E, U+2066-U+2069)."""


def _escaped(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _escape(match: re.Match[str]) -> str:
    return _escaped(match.group(0))


def visible(text: str) -> str:
    """``text`` with each hidden character (see :data:`_HIDDEN`) as ``\\xNN`` or ``\\uNNNN``."""
    return _HIDDEN.sub(_escape, text)


_BREAK_ESCAPES = {"\t": "\\t", "\n": "\\n"}


def one_line(text: str) -> str:
    """``text`` shown on one line, every character a reader cannot see as an escape: what
    Python calls not printable (a control, format, private-use, surrogate or unassigned
    character, a line or paragraph separator, a space other than the plain one), tabs and
    newlines as ``\\t`` and ``\\n``. For an error's line: a name holding a newline made one
    error read as two, and one holding a zero-width space (``x`` + U+200B) or a no-break space
    read as another name. Escapes already in ``text`` are left as they are."""
    if text.isprintable():  # the usual line: one C-speed pass
        return text
    return "".join(c if c.isprintable() else _BREAK_ESCAPES.get(c) or _escaped(c) for c in text)


def plot_text(text: object, limit: int | None = None) -> str:
    """``text`` from data as a chart draws it: hidden characters as escapes (:func:`visible`)
    and each ``$`` as ``\\$``, so matplotlib never reads it as mathtext. A group named
    ``$x^2$`` drew as x squared, and one holding an unclosed ``$\\nope{$`` lost its whole chart
    (a ValueError); an ESC or BEL drew as a missing glyph, and matplotlib's warning wrote it raw
    to the terminal. ``limit`` shortens the text first, so no escape is cut in two."""
    shown = str(text) if limit is None else str(text)[:limit]
    return visible(shown).replace("$", r"\$")
