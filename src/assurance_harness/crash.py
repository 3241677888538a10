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
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import HarnessError, RunFailedError
from .scrub import environment_secrets
from .scrub import scrub as scrub_secrets
from .targets.base import describe

TRACEBACK_FILE = "traceback.txt"
"""A crashed run's traceback, in its run folder."""
SHOW_ENV = "ASSURANCE_TRACEBACK"
"""Set to 1 to have the traceback printed as well (on stderr)."""


class InternalError(RunFailedError):
    """An unexpected exception, reported as a failed run (exit 3) with its traceback saved."""

    def __init__(self, message: str, *, traceback_text: str) -> None:
        super().__init__(message)
        self.traceback_text = traceback_text


class PluginFault(InternalError):
    """An unexpected exception from a third-party target adapter's own code: one line naming
    the target file, the plugin and where in it the exception was raised, exit 3. No traceback
    is saved (``ASSURANCE_TRACEBACK=1`` prints it): the fix is the plugin's, not ours."""


@dataclass(frozen=True)
class TargetOrigin:
    """The target file a command uses and its adapter's class, so that an exception raised in
    the adapter's code is reported as the adapter's, not as a bug of the harness."""

    file: str
    adapter: type

    def plugin(self) -> str:
        """``type`` name and ``module:Class`` of the adapter, as a message names it."""
        name = getattr(self.adapter, "type", None)
        ref = f"{self.adapter.__module__}:{self.adapter.__qualname__}"
        return f"'{name}' ({ref})" if isinstance(name, str) else f"({ref})"

    def third_party(self) -> bool:
        return self.adapter.__module__.partition(".")[0] != __name__.partition(".")[0]

    def frame(self, exc: BaseException) -> traceback.FrameSummary | None:
        """The innermost frame of ``exc``'s traceback in the adapter's code (the package it
        came from; for a built-in adapter, its own module), None where it passed none."""
        name = self.adapter.__module__
        module = sys.modules.get(name.partition(".")[0] if self.third_party() else name)
        source = getattr(module, "__file__", None)
        if not source:
            return None
        root = Path(source).resolve()
        if root.name == "__init__.py":
            root = root.parent
        found = None
        for frame in traceback.extract_tb(exc.__traceback__):
            path = Path(frame.filename).resolve()
            if path == root or path.is_relative_to(root):
                found = frame
        return found


def internal_error(
    exc: BaseException,
    *,
    folder: Path | None = None,
    scrub: Callable[[str], str] | None = None,
    then: str = "",
    origin: TargetOrigin | None = None,
) -> InternalError:
    """``exc`` as an :class:`InternalError`: its traceback saved (in ``folder``, else the
    temporary directory), its message one line naming the exception, the file and ``then``.

    ``origin``: the target in use. An exception raised in its adapter's code names the target
    file; from a third-party adapter it is that plugin's :class:`PluginFault` (nothing saved),
    so the user is sent to the plugin, not told to report a bug of the harness."""
    secrets = environment_secrets()
    text = scrub_secrets("".join(traceback.format_exception(exc)), secrets)
    summary = scrub_secrets(describe(exc), secrets)
    if scrub is not None:
        # A plugin's scrub() failing: the environment's secrets are scrubbed all the same.
        with suppress(Exception):
            text, summary = scrub(text), scrub(summary)
    summary = " ".join(summary.split())[:300]
    frame = origin.frame(exc) if origin is not None else None
    if origin is not None and frame is not None and origin.third_party():
        message = (
            f"{origin.file}: the target plugin {origin.plugin()} failed: {summary} (at "
            f"{frame.filename}:{frame.lineno}, in {frame.name}); fix or update that plugin, "
            f"or report it to its authors"
        )
        fault = PluginFault(message, traceback_text=text)
        if then:
            fault.add_line(then)
        return fault
    saved = _save(text, folder)
    where = f"its traceback is in {saved}" if saved else "its traceback could not be saved"
    message = (
        f"internal error: {summary} (a bug in assurance-harness or in a plugin, not in your "
        f"input; {where}; please report it)"
    )
    if frame is not None and origin is not None:  # a built-in adapter's bug: which target
        message = f"{origin.file}: {message}"
    error = InternalError(message, traceback_text=text)
    if then:
        error.add_line(then)
    return error


@contextmanager
def adapter_code(origin: TargetOrigin, *, then: str = "") -> Iterator[None]:
    """Where the harness calls an adapter outside a request (builds it, asks for its
    fingerprint): anything the adapter raises but a ``HarnessError`` or Ctrl-C (a plugin's
    SystemExit too, which would otherwise end the command with the plugin's exit code) becomes
    the one line that names the target file and the adapter, exit 3 (``crash.internal_error``)."""
    try:
        yield
    except (HarnessError, KeyboardInterrupt):
        raise
    except BaseException as exc:
        raise internal_error(exc, origin=origin, then=then) from None


def _save(text: str, folder: Path | None) -> Path | None:
    """Where the traceback was saved: the run folder's traceback.txt, else a file in the
    temporary folder, else None. Each is written whole or not at all (a temporary file renamed
    into place): a disk that fills part-way must not leave a cut-off traceback.txt in the run's
    folder, nor replace one an earlier crash saved there with half of this one."""
    from .store.files import write_bytes_atomic

    data = text.encode("utf-8", errors="backslashreplace")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidates = []
    if folder is not None:
        candidates.append(folder / TRACEBACK_FILE)
    candidates.append(Path(tempfile.gettempdir()) / f"assurance-crash-{stamp}-{os.getpid()}.txt")
    for path in candidates:
        if not path.parent.is_dir():  # a run folder gone: not made again for its traceback
            continue
        try:
            write_bytes_atomic(path, data)
        except OSError:
            continue
        return path
    return None


def shows_traceback() -> bool:
    """Whether the user asked for tracebacks on the terminal too (``ASSURANCE_TRACEBACK=1``)."""
    return os.environ.get(SHOW_ENV, "") not in ("", "0")
