"""End the ``assurance`` process once a command is done, without tearing the interpreter down.

Tearing down a process that has loaded pydantic, numpy, aiohttp and the harness (freeing every
module, a last full garbage collection) costs about 0.2 s of CPU: a tenth of a 2,000-case run,
and most of what ``--help`` spends after printing. Nothing is skipped that a normal exit would
do for the files: the atexit handlers run (logging, temporary directories, Ray, connection
pools), every open file object is flushed, and standard output and error are flushed. Where
that cannot be promised (a worker thread still running, a flush that fails, an exit status
that is not a number, an open file whose close writes more than a flush: a gzip trailer, a
zip directory, a named temporary file's removal) the process exits the normal way.
"""

from __future__ import annotations

import _io
import atexit
import gc
import io
import os
import sys
import threading
from itertools import compress
from typing import Any, NoReturn


def exit_now(code: int | None) -> NoReturn:
    """Exit with ``code`` (None: 0) after running the atexit handlers and flushing every open
    file; falls back to ``sys.exit`` wherever that is not certain to be the same."""
    if not _workers_done():
        sys.exit(code)  # the interpreter waits for non-daemon threads; so must we
    atexit._run_exitfuncs()
    if not _workers_done() or not _flush_open_files():
        sys.exit(code)
    os._exit(code or 0)


def _workers_done() -> bool:
    main = threading.main_thread()
    return not any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate())


def _flush_open_files() -> bool:
    """Flush every open file object (text wrappers flush their buffers too) and the standard
    streams; False if any flush failed (a closed pipe, a full disk): the normal exit reports
    that as it always has."""
    gc.unfreeze()  # the collector lists frozen objects only once they are back in a generation
    objects = gc.get_objects()
    # Each object's type, once, not isinstance (it reads __class__: proxies warn). The objects
    # are sifted by their types in C (map, compress): a Python test per object took 25 ms of a
    # 2,000-case run's exit, a tenth of what the exit saves.
    kinds = list(map(type, objects))
    distinct = set(kinds)
    if _left_to_close(objects, kinds, distinct):
        return False
    file_kinds = {kind for kind in distinct if issubclass(kind, _FILE_BASE)}
    files = list(compress(objects, map(file_kinds.__contains__, kinds)))
    for stream in (*files, sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except Exception:  # any failure: the normal exit reports it as it always has
            return False
    return True


_FILE_BASE = _io._IOBase
"""What every file a normal exit closes is built on: ``io.IOBase`` and each of io's classes
inherit it, and its finalizer is the close that flushes them. A class only registered with
``io.IOBase`` has no such finalizer, so a normal exit leaves it as it is, and so does this one.
Tested by inheritance in C, not by ``io.IOBase``'s ``issubclass``: that one walks the ABC's
registry and every subclass for each of the few hundred types the objects have, about 7 ms of
a 2,000-case run's exit."""

_PLAIN_FILES = (
    io.FileIO,
    io.BufferedReader,
    io.BufferedWriter,
    io.BufferedRandom,
    io.BufferedRWPair,
    io.TextIOWrapper,
    io.BytesIO,
    io.StringIO,
)
"""File types whose close, once flushed, writes nothing more (exact types: a subclass may)."""


def _left_to_close(objects: list[object], kinds: list[type], distinct: set[type]) -> bool:
    """Whether any of ``objects`` (of types ``kinds``, ``distinct`` of them) is open and only its
    close (its finalizer, at a normal exit) finishes it: a writable file of another type (gzip,
    bz2, lzma, a member of a zip being written), a zip archive being written (its directory), a
    named temporary file (its removal). The types are sifted first: a call per object would
    cost more than the exit saves."""
    # Looked up, not imported: no archive or temporary file exists if its module never loaded.
    zipfile, tempfile = sys.modules.get("zipfile"), sys.modules.get("tempfile")
    closers = (
        *((zipfile.ZipFile,) if zipfile is not None else ()),
        *((tempfile._TemporaryFileWrapper,) if tempfile is not None else ()),
    )
    suspects = {
        kind
        for kind in distinct
        if kind not in _PLAIN_FILES and issubclass(kind, (_FILE_BASE, *closers))
    }
    if not suspects:
        return False
    return any(map(_needs_close, compress(objects, map(suspects.__contains__, kinds))))


def _needs_close(obj: Any) -> bool:
    try:
        if isinstance(obj, _FILE_BASE):
            return not obj.closed and obj.writable()
        if hasattr(obj, "mode") and hasattr(obj, "fp"):  # zipfile.ZipFile
            return obj.fp is not None and obj.mode != "r"
        return not obj.closed  # a named temporary file
    except Exception:  # a half-built or broken object: let the normal exit deal with it
        return True
