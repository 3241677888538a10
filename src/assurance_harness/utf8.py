"""Names and text from the operating system that are not UTF-8.

Linux hands Python a file name or an argument holding bytes that are not UTF-8 as a string with
lone surrogates (``\\udcff`` for the byte ``0xff``). Runs record such text in JSON, the evidence
ledger and reports, all UTF-8, where it cannot be written: found only after the requests went
out, it ended the run with an internal error. It is refused on the way in instead, and shown as
the bytes it was (``\\xff``) so the user can find the file.
"""

from __future__ import annotations


def is_utf8(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (it holds no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown(text: str) -> str:
    """``text`` printable: bytes that were not UTF-8 as ``\\xNN``, other lone surrogates as
    ``\\udNNN``."""
    return "".join(_shown_char(c) if "\ud800" <= c <= "\udfff" else c for c in text)


def _shown_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
