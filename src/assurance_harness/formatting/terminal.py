"""The terminal's size as the environment gives it (``COLUMNS``, ``TERMINAL_WIDTH``, ``LINES``),
believed only where it could be a screen's."""

from __future__ import annotations

from collections.abc import MutableMapping

MIN_COLUMNS = 40
"""The narrowest width used: a narrower one from the environment is raised to it. At 1 to 3
columns ``--help`` printed a column of box corners and no usage line; at 40 every panel still
holds whole words."""
MAX_COLUMNS = 10_000
"""The widest terminal believed: a wider width from the environment is ignored."""

WIDTH_VARIABLES = ("COLUMNS", "TERMINAL_WIDTH")
"""Rich reads ``COLUMNS`` (every console, when made and when measuring); typer's own help reads
``TERMINAL_WIDTH`` when ``typer.rich_utils`` is imported, with ``int()``."""


def sane_width(raw: str | None) -> int | None:
    """A terminal width from the environment, raised to :data:`MIN_COLUMNS`, or None where it is
    no positive whole number or is wider than any screen: Rich pads help panels to the width,
    and 99999999999 columns of spaces ended ``--help`` in a MemoryError."""
    try:
        width = int(raw) if raw else None
    except ValueError:
        return None
    if width is None or not 0 < width <= MAX_COLUMNS:
        return None
    return max(width, MIN_COLUMNS)


def settle_terminal_size(environ: MutableMapping[str, str]) -> None:
    """Rewrite the size variables in ``environ`` (the process's, before any console or typer's
    help reads them) to what :func:`sane_width` believes, and drop those it does not (as if
    unset: the terminal's own size, or 80 columns). Where ``--help`` is typer's own (a typer
    release ``cli_help`` does not follow), typer read ``TERMINAL_WIDTH`` itself: ``abc`` was an
    internal error, ``1000000000`` wrote gigabytes of padding, ``0`` printed nothing. ``LINES``
    is kept where it is a whole number a screen could have."""
    for name in WIDTH_VARIABLES:
        raw = environ.get(name)
        if raw is None:
            continue
        width = sane_width(raw)
        if width is None:
            del environ[name]
        elif str(width) != raw:
            environ[name] = str(width)
    lines = environ.get("LINES")
    if lines is not None and not (lines.isdigit() and 0 < int(lines) <= MAX_COLUMNS):
        del environ["LINES"]
