"""Data as an HTML page writes it: no control character reaches the HTML as text.

A browser drops a NUL (U+0000) from a page's text and hides most other control characters, so
a reviewer read text other than what was stored ("I hate\\x00 this" read "I hate this"). Every
value a page writes goes through ``page_text`` (the ``finalize`` of each Jinja environment that
writes HTML: the web app's, the run report's, the register's and annex's): each NUL as
``NUL_STAND_IN`` (``␀``), as the team store keeps it (``store.nultext``), and every other hidden
character as the escape the terminal views write (``visible``). A page that shows model text
says what ``␀`` stands for (``store.nultext.page_note``). JSON stays exact.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ..utf8 import is_utf8, shown
from .visible import visible

NUL_STAND_IN = "\u2400"
"""``␀`` (U+2400, the symbol that stands for NUL): what a page shows, and the team store keeps
(``store.nultext``), for each NUL of a text."""


def page_text(value: Any) -> Any:
    """``value`` as a page writes it: text (markup too: a control character is never part of a
    tag) with NUL as ``␀`` and other hidden characters escaped, and bytes that were not UTF-8
    (a folder's name, held with lone surrogates) as ``\\xNN`` (``utf8.shown``): no page can be
    written with them, and the runs page was a 500 while such a folder was there; anything else
    as it is."""
    if not isinstance(value, str):
        return value
    text = value if is_utf8(value) else shown(value)  # a name the system gave in other bytes
    text = visible(text.replace("\x00", NUL_STAND_IN))
    return Markup(text) if isinstance(value, Markup) else text
