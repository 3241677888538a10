"""The terminal's width as the environment gives it (``COLUMNS``, ``TERMINAL_WIDTH``), believed
only where it could be a screen's."""

from __future__ import annotations

MAX_COLUMNS = 10_000
"""The widest terminal believed: a wider width from the environment is ignored."""


def sane_width(raw: str | None) -> int | None:
    """A terminal width from the environment, or None where it is no positive whole number or
    is wider than any screen: Rich pads help panels to the width, and 99999999999 columns of
    spaces ended ``--help`` in a MemoryError."""
    try:
        width = int(raw) if raw else None
    except ValueError:
        return None
    return width if width is not None and 0 < width <= MAX_COLUMNS else None
