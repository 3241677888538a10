"""An unexpected exception (a bug in the harness, a scorer or a plugin) as one line and a saved
traceback, never a traceback on the terminal.

CI tells outcomes apart by exit code alone: 1 means a gate failed. Python exits 1 on an uncaught
exception too, so a crash would read as a failed gate. Every command therefore ends a crash
with exit 3 (the run, or the command, failed), one line naming the exception and where its
traceback was saved, and, for a run, how to finish it (the responses already collected are in
its journal). The traceback is scrubbed of secret values first: the ones the target names, and
those of environment variables whose names say they hold one.
"""

from __future__ import annotations

import os
import re
import tempfile
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .errors import RunFailedError
from .targets.secrets import scrub as scrub_secrets

TRACEBACK_FILE = "traceback.txt"
"""A crashed run's traceback, in its run folder."""
SHOW_ENV = "ASSURANCE_TRACEBACK"
"""Set to 1 to have the traceback printed as well (on stderr)."""
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|DSN", re.IGNORECASE)


class InternalError(RunFailedError):
    """An unexpected exception, reported as a failed run (exit 3) with its traceback saved."""

    def __init__(self, message: str, *, traceback_text: str) -> None:
        super().__init__(message)
        self.traceback_text = traceback_text


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a secret (never shown)."""
    return _SECRET_NAME.search(name) is not None


def environment_secrets() -> list[str]:
    """Values of environment variables whose names say they hold a secret."""
    return [v for k, v in os.environ.items() if is_secret_name(k) and v]


def internal_error(
    exc: BaseException,
    *,
    folder: Path | None = None,
    scrub: Callable[[str], str] | None = None,
    then: str = "",
) -> InternalError:
    """``exc`` as an :class:`InternalError`: its traceback saved (in ``folder``, else the
    temporary directory), its message one line naming the exception, the file and ``then``."""
    secrets = environment_secrets()
    text = scrub_secrets("".join(traceback.format_exception(exc)), secrets)
    summary = scrub_secrets(f"{type(exc).__name__}: {exc}", secrets)
    if scrub is not None:
        text, summary = scrub(text), scrub(summary)
    summary = " ".join(summary.split())[:300]
    saved = _save(text, folder)
    where = f"its traceback is in {saved}" if saved else "its traceback could not be saved"
    message = (
        f"internal error: {summary} (a bug in assurance-harness or in a plugin, not in your "
        f"input; {where}; please report it)"
    )
    error = InternalError(message, traceback_text=text)
    if then:
        error.add_line(then)
    return error


def _save(text: str, folder: Path | None) -> Path | None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidates = []
    if folder is not None:
        candidates.append(folder / TRACEBACK_FILE)
    candidates.append(Path(tempfile.gettempdir()) / f"assurance-crash-{stamp}-{os.getpid()}.txt")
    for path in candidates:
        try:
            path.write_text(text, encoding="utf-8", errors="backslashreplace")
        except OSError:
            continue
        return path
    return None


def shows_traceback() -> bool:
    """Whether the user asked for tracebacks on the terminal too (``ASSURANCE_TRACEBACK=1``)."""
    return os.environ.get(SHOW_ENV, "") not in ("", "0")
