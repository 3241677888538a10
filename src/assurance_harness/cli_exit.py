"""End the ``assurance`` process once a command is done, without tearing the interpreter down.

Tearing down a process that has loaded pydantic, numpy, aiohttp and the harness (freeing every
module, a last full garbage collection) costs about 0.2 s of CPU: a tenth of a 2,000-case run,
and most of what ``--help`` spends after printing. Nothing is skipped that a normal exit would
do for the files: the atexit handlers run (logging, temporary directories, Ray, connection
pools), every open file object is flushed, and standard output and error are flushed. Where
that cannot be promised (a worker thread still running, a flush that fails, an exit status
that is not a number) the process exits the normal way.
"""

from __future__ import annotations

import atexit
import gc
import io
import os
import sys
import threading
from typing import NoReturn


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
    files = [obj for obj in gc.get_objects() if isinstance(obj, io.IOBase)]
    for stream in (*files, sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except Exception:  # any failure: the normal exit reports it as it always has
            return False
    return True
