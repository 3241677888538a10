"""Saying, once, that a command waits for another process's lock (the run index ``runs.db``,
the evidence ledger's ``.lock``).

A write holds either lock for milliseconds, so a wait past ``NOTICE_AFTER_S`` means another
process is busy or hung; before this, a command waited out the 30 s (runs.db) or 60 s (ledger)
without a word, and a CI log that stays silent that long reads as a hang. The line goes to
stderr, as the CLI's errors and warnings do, so a command's stdout stays its own output.
"""

from __future__ import annotations

import sys

from ..formatting.visible import visible

__all__ = ["NOTICE_AFTER_S", "say_waiting"]

NOTICE_AFTER_S = 1.0
"""How long a command waits for another process's lock before it says so."""


def say_waiting(text: str) -> None:
    """``waiting: <text>`` as one line on stderr, flushed at once (the command then blocks)."""
    line = " ".join(visible(text).split("\n"))
    try:
        sys.stderr.write(f"waiting: {line}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken stderr must not stop the write it is for
        pass
