"""The C allocator of ``assurance ui``'s process: glibc's ``malloc_trim`` after a heavy page and
its arenas bounded at start (``mallopt``), through ctypes; with any other C library, nothing.

Why: a reviewed 100,000-case run's page measures the run's metrics again (numpy, on the
metrics' threads) and frees it all when the page is written, but glibc keeps freed memory for
reuse, and gives each thread that allocates at once an arena of its own (up to 8 a core), each
keeping its own; ``MALLOC_ARENA_MAX`` set by hand helped, and a user should not have to know it.
Measured on that run's page, its queued rows and ``/review`` one after another
(``benchmarks/scale_commands.py --only ui``'s pages, once the pages themselves held less):
the process peaked at 322-329 MB, 308-312 MB with two arenas (312 MB with one); the run page
left 244 MB resident, 221 MB after ``malloc_trim`` (1.8 ms), which alone moved the peak of
those three pages little (319-328 MB) but is what an idle app keeps between pages.
"""

from __future__ import annotations

import ctypes
import functools
import sys

__all__ = ["ARENAS", "bound_arenas", "release_freed"]

M_ARENA_MAX = -8
"""``mallopt``'s parameter for the most arenas (glibc's ``malloc.h``)."""
ARENAS = 2
"""Arenas ``assurance ui`` allows: the main thread's and one the app's threads share. Its
threads take turns on the GIL for nearly all they allocate, so more arenas buy them little
but keep more freed memory."""


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """The process's C library where it is glibc (Linux's usual one), else None: musl and the
    other systems' libraries have neither call, and their allocators behave otherwise."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)  # the symbols already loaded: this process's own C library
    except OSError:
        return None
    if not all(hasattr(libc, n) for n in ("gnu_get_libc_version", "malloc_trim", "mallopt")):
        return None
    return libc


def bound_arenas(arenas: int = ARENAS) -> bool:
    """Allow at most ``arenas`` malloc arenas in this process from now on (threads started
    later share them); whether it was done. Only for a process that is the web app: it is
    global to the process."""
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(M_ARENA_MAX, arenas))


def release_freed() -> bool:
    """Give the memory freed so far back to the system (every arena, the free pages inside
    them too); whether it was done. A few milliseconds after a page of a big run."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
