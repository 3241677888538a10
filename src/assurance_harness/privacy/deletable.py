"""Whether ``runs purge`` could delete a run's files, asked without changing anything: by its
dry run, and by the purge itself for the payload folders it deletes only once it has recorded.

On POSIX, deleting or renaming a file needs write permission on its folder, never on the file:
a file's own mode (a plot image saved 0444, a results file made read-only) does not stop its
deletion. What does: a folder that cannot be written (its mode, read-only media), a flag on the
file (immutable, append-only: for root too), and a sticky folder (``/tmp``'s mode) whose file
belongs to neither the user nor the folder's owner. The dry run once asked each file for a
write open, so it warned that a read-only image "cannot be deleted" and left its run out of
what it would purge, while the purge deleted it: a dry run must say what the purge would do."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import sys
from array import array
from pathlib import Path

_BSD_PINNED = (
    getattr(stat, "UF_IMMUTABLE", 0)
    | getattr(stat, "UF_APPEND", 0)
    | getattr(stat, "SF_IMMUTABLE", 0)
    | getattr(stat, "SF_APPEND", 0)
)
"""The ``st_flags`` (BSD, macOS) that refuse a file's deletion."""

_FS_IOC_GETFLAGS = 0x80086601
"""Linux's ioctl reading a file's attribute flags (what ``lsattr`` shows)."""
_LINUX_PINNED = 0x10 | 0x20
"""``FS_IMMUTABLE_FL | FS_APPEND_FL``: the flags (``chattr +i``, ``+a``) refusing deletion."""


def refusal(folder: os.stat_result, entry: os.stat_result, euid: int, pinned: bool) -> int | None:
    """The errno deleting (or renaming) ``entry`` from ``folder`` would fail with for the user
    ``euid``, or None where it would succeed as far as ownership and flags go. ``pinned``: a
    flag on ``entry`` (immutable, append-only, :func:`pinned`). Whether ``folder`` can be
    written at all is ``os.access``'s to say (groups, ACLs, read-only media), asked apart.
    The entry's own mode is not read: it never matters (module docstring)."""
    if pinned:
        return errno.EPERM
    sticky = bool(folder.st_mode & stat.S_ISVTX)
    if sticky and euid != 0 and euid not in (folder.st_uid, entry.st_uid):
        return errno.EPERM
    return None


def pinned(path: Path) -> bool:
    """True where a flag on the regular file ``path`` (immutable, append-only) refuses its
    deletion; False for anything else there (a link, a folder, nothing). Read from the flags
    where the system gives them, else from a write open without truncation (nothing changes):
    EPERM is a flag's refusal, EACCES only the file's mode, which deletion does not ask."""
    try:
        seen = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(seen.st_mode):
        return False
    flags = getattr(seen, "st_flags", None)
    if flags is not None:
        return bool(flags & _BSD_PINNED)
    if (linux := _linux_flags(path)) is not None:
        return bool(linux & _LINUX_PINNED)
    try:
        os.close(os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK))
    except OSError as exc:
        return exc.errno == errno.EPERM
    return False


def _linux_flags(path: Path) -> int | None:
    """The attribute flags of ``path`` on Linux; None where they cannot be read (another
    system, a file this user may not read, a file system without them)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError:
        return None
    try:
        flags = array("i", [0])
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, flags, True)
    except OSError:
        return None
    finally:
        os.close(fd)
    return flags[0]


def undeletable(run_dir: Path, names: dict[str, str], folders: list[str]) -> str | None:
    """For a dry run, the line the purge's staging would fail with, changing nothing: a folder
    the rename cannot write (read-only media, for root too) or a file it cannot move (a flag on
    it, a sticky folder: :func:`file_fault`), in the run folder or a payload folder
    (``folders``: :func:`folder_fault`); None where the purge could go ahead. A dry run said
    "would purge" a run that the purge then could not, while a dry run of a read-only archive
    must still list it."""
    fault = None
    if not os.access(run_dir, os.W_OK):
        fault = (run_dir / next(iter(names), ""), unwritable(run_dir))
    for name in names if fault is None else ():
        fault = file_fault(run_dir / name)
        if fault is not None:
            break
    for name in folders if fault is None else ():
        fault = folder_fault(run_dir / name)
        if fault is not None:
            break
    if fault is None:
        return None
    path, why = fault
    return f"{path}: cannot delete: {why}; the purge would fail here: fix it first"


def unwritable(folder: Path) -> str:
    """Why nothing in ``folder``, which ``os.access`` says cannot be written, can be deleted."""
    from ..store.readonly import read_only_fs

    return os.strerror(errno.EROFS if read_only_fs(folder) else errno.EACCES)


def file_fault(path: Path) -> tuple[Path, str] | None:
    """``path`` and why, where its deletion from its folder would be refused (:func:`refusal`
    on what ``lstat`` says of both); None where it would not, or nothing is there."""
    try:
        folder, entry = os.stat(path.parent), os.lstat(path)
    except OSError:
        return None
    refused = refusal(folder, entry, os.geteuid(), pinned(path))
    return None if refused is None else (path, os.strerror(refused))


def folder_fault(path: Path) -> tuple[Path, str] | None:
    """Where deleting the payload folder ``path`` and all in it (the purge's ``rmtree``) would
    fail, and why, changing nothing: a folder in it that cannot be read or written, a file in
    it that cannot be deleted (:func:`file_fault`). A link or a file in its place is removed
    from the run folder, whose own check covers it: never followed."""
    if path.is_symlink() or not path.is_dir():
        return None
    unreadable: list[OSError] = []
    # Links to folders are listed but never walked into (``followlinks`` is False).
    for folder, _, names in os.walk(path, onerror=unreadable.append):
        if not os.access(folder, os.W_OK):
            return Path(folder), unwritable(Path(folder))
        for name in names:
            if (fault := file_fault(Path(folder) / name)) is not None:
                return fault
    for exc in unreadable:
        return Path(exc.filename or path), exc.strerror or str(exc)
    return None
