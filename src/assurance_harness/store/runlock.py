"""The run folder's lock: one process at a time sends, scores and records a run.

An exclusive ``flock`` on the folder itself (so no file is added to it), held by ``assurance
run`` from the folder's creation, or by ``--resume``, to the end of its post-run steps;
``evidence attach``, ``baseline set`` and ``review adjudicate`` hold it shared while they read
and record the run, and ``runs purge`` exclusively while it deletes the run's files.
Other commands only look: a run without summary.json whose folder is held is being run now, not
stopped, and must not be told to ``--resume`` (that is refused while it lasts). POSIX only;
where ``fcntl`` or ``flock`` is missing (Windows, some network mounts) runs go unguarded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import UsageError

__all__ = ["RunFolderBusy", "hold_run_folder", "reading_run_folder", "run_folder_busy"]


class RunFolderBusy(Exception):
    """Another process holds the run folder (it is running or resuming that run now)."""


@contextmanager
def hold_run_folder(path: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold ``path`` while the block lasts; ``RunFolderBusy`` at once when another process
    does. An ``OSError`` opening the folder propagates (the caller reports the storage fault).

    ``shared``: a reader that records what the run's files hold (``evidence attach`` hashes
    them into the ledger) holds the folder shared, so readers go together, but no run or resume
    rewrites the files under it, and it never reads a run that one is rewriting."""
    try:
        import fcntl
    except ImportError:  # not POSIX (Windows): unguarded, as before
        yield
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunFolderBusy(str(path)) from None
        except OSError:
            pass  # a file system without locks: unguarded, as before
        yield
    finally:
        os.close(fd)  # releases the lock


class RunFolderInUse(UsageError):
    """Another process is running or resuming the run right now (exit 2; the web app's 409
    Conflict): what the command would record could be rewritten under it."""


@contextmanager
def reading_run_folder(path: Path, *, then: str) -> Iterator[None]:
    """Hold the folder shared while a command records what the run's files say (``evidence
    attach`` their hashes and figures, ``baseline set`` the figures it accepts): a
    ``--resume``/``--retry-errors`` starting meanwhile would rewrite them under it. A run being
    rewritten now is one line (exit 2), ``then`` saying what to do once it has finished."""
    try:
        with hold_run_folder(path, shared=True):
            yield
    except RunFolderBusy:
        raise RunFolderInUse(
            f"run {path.name} is being run or resumed by another process right now; "
            f"{then} once that has finished"
        ) from None


def run_folder_busy(path: Path) -> bool:
    """Whether another process holds the run folder now (a shared lock is refused only then;
    taken, it is let go at once)."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False
