"""Import aiohttp without reading the system's CA bundle before the first TLS connection.

aiohttp builds two SSL contexts when ``aiohttp.connector`` is imported, and each reads the
system's CA bundle (``set_default_verify_paths``): about 17 ms apiece here, holding the GIL,
before a run's first request, a run against an ``http://`` endpoint then never uses them. While
aiohttp is imported by :func:`import_aiohttp`, that read is noted instead of done, and the
contexts it was noted for read the bundle on their first connection (``wrap_bio``, which
asyncio calls for every TLS connection, or ``wrap_socket``), or when their certificates are
asked for. They verify exactly as before, with the bundle the environment names at that moment
(``SSL_CERT_FILE``, ``SSL_CERT_DIR``).

Where aiohttp is already imported (by a plugin, say), nothing is changed.
"""

from __future__ import annotations

import ssl
import sys
import threading
from types import ModuleType
from typing import Any

_READ_VERIFY_PATHS = ssl.SSLContext.set_default_verify_paths
_LOCK = threading.Lock()


class _VerifyPathsOnFirstUse(ssl.SSLContext):
    """An SSL context whose ``set_default_verify_paths`` waits for its first use.

    Only ever given to contexts by a ``__class__`` change after they are built (a subclass
    with no slots of its own has ssl.SSLContext's layout), so it has no ``__init__``; a
    context is still an ``ssl.SSLContext`` for every ``isinstance`` check."""

    def _read_verify_paths(self) -> None:
        if self.__dict__.get("_verify_paths_due", False):
            with _LOCK:
                if self.__dict__.get("_verify_paths_due", False):
                    _READ_VERIFY_PATHS(self)
                    self.__dict__["_verify_paths_due"] = False

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self._read_verify_paths()
        return super().wrap_bio(*args, **kwargs)

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self._read_verify_paths()
        return super().wrap_socket(*args, **kwargs)

    def get_ca_certs(self, *args: Any, **kwargs: Any) -> Any:
        self._read_verify_paths()
        return super().get_ca_certs(*args, **kwargs)

    def cert_store_stats(self) -> dict[str, int]:
        self._read_verify_paths()
        return super().cert_store_stats()


def import_aiohttp() -> ModuleType:
    """``aiohttp``, imported (on the first call) with its SSL contexts' CA bundle read on their
    first use rather than now. Call it from the main thread, before other threads make SSL
    contexts: while aiohttp is imported, any context's ``set_default_verify_paths`` is noted,
    and each context it was noted for reads the bundle on first use."""
    if "aiohttp.connector" in sys.modules:
        import aiohttp

        return aiohttp
    noted: list[ssl.SSLContext] = []

    def note(context: ssl.SSLContext) -> None:
        noted.append(context)

    ssl.SSLContext.set_default_verify_paths = note  # type: ignore[method-assign,assignment]
    try:
        import aiohttp
    finally:
        ssl.SSLContext.set_default_verify_paths = _READ_VERIFY_PATHS  # type: ignore[method-assign]
    for context in noted:
        if type(context) is ssl.SSLContext:
            context.__class__ = _VerifyPathsOnFirstUse
            context.__dict__["_verify_paths_due"] = True
        else:  # a subclass of someone else's: its bundle is read now, as it would have been
            _READ_VERIFY_PATHS(context)
    return aiohttp
