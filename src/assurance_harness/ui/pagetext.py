"""Data as the web app's pages write it: no control character reaches the HTML as text.

A browser drops a NUL (U+0000) from a page's text and hides most other control characters, so
a reviewer read text other than what was stored (the embedded store keeps NUL: "I hate␀ this"
read "I hate this"). Every value a page writes goes through ``page_text`` (the templates'
``finalize``): each NUL as ``␀``, as the team store keeps it (``store.nultext``), and every
other hidden character as the escape the terminal views write (``formatting.visible``). The
page says what ``␀`` stands for (``store.nultext.page_note``). JSON answers stay exact.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ..formatting.visible import visible
from ..store.nultext import NUL_STAND_IN


def page_text(value: Any) -> Any:
    """``value`` as a page writes it: text (markup too: a control character is never part of a
    tag) with NUL as ``␀`` and other hidden characters escaped; anything else as it is."""
    if not isinstance(value, str):
        return value
    shown = visible(value.replace("\x00", NUL_STAND_IN))
    return Markup(shown) if isinstance(value, Markup) else shown
