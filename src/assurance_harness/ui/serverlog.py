"""The web server's own log (aiohttp's ``aiohttp.server`` logger) as one line per event.

aiohttp logs every request it cannot serve with the exception's whole traceback: a request line
over 8 KB or a byte no URL may hold (a scanner, a mistyped link) filled the terminal serving the
app with ``LineTooLong`` tracebacks, once per request. A malformed request is the client's
fault, answered 400: one warning line. A page that crashes (a 500) is a bug: one line naming the
exception and the file its traceback was saved to, as every command reports one
(``crash.internal_error``), or the traceback too with ``ASSURANCE_TRACEBACK=1``.
"""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError

from ..console import err, term
from ..crash import internal_error, shows_traceback

SERVER_LOGGER = "aiohttp.server"
"""The logger aiohttp's request handling reports errors to."""


def _detail(exc: HttpProcessingError) -> str:
    """The parser's message on one short line (some span lines, with a caret under the byte)."""
    text = " ".join(str(exc.message).split())
    return text if len(text) <= 200 else text[:197] + "..."


def _line(record: logging.LogRecord) -> tuple[str, str]:
    """The record's one line and its style."""
    exc = record.exc_info[1] if record.exc_info else None
    what = record.getMessage()
    if isinstance(exc, HttpProcessingError):
        return f"warning: {what}: answered {exc.code}: {_detail(exc)}", "yellow"
    if exc is not None:
        return f"error: {what}: {internal_error(exc)}", "red"
    return f"warning: {what}", "yellow"


class OneLineLog(logging.Handler):
    """Prints each record of the server's log as one line on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line, style = _line(record)
            err.print(term(line, style), soft_wrap=True)
            if record.exc_info and shows_traceback() and style == "red":
                err.print(term(logging.Formatter().formatException(record.exc_info)))
        except Exception:  # a log line must never take the server down
            self.handleError(record)


def install() -> None:
    """Route the server's log through :class:`OneLineLog` (and not to the root logger, whose
    last-resort handler prints the traceback)."""
    logger = logging.getLogger(SERVER_LOGGER)
    if not any(isinstance(h, OneLineLog) for h in logger.handlers):
        logger.addHandler(OneLineLog())
    logger.propagate = False


__all__ = ["OneLineLog", "install"]
