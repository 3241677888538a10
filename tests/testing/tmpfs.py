"""Real file-system faults for one test, where the harness meets the kernel's error, not a
mock's: a small tmpfs (a full disk: ``size``, or a lack of inodes: ``inodes``), filled to its
last block (``fill``), a file made immutable (``immutable``: EPERM even for root, whom file
modes do not stop), a folder made read-only by a bind mount (``read_only``: EROFS, as on
read-only media or a read-only share), and a child process's file size limit
(``file_size_limited``: EFBIG, for root too, and needing no privilege). All but the last need
root (CI may not be): the test is skipped where it is refused."""

from __future__ import annotations

import errno
import resource
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def _mounted(args: list[str], where: Path, what: str) -> Iterator[None]:
    """``mount ARGS``, the test skipped where it is refused (no mount command, not root), and
    ``where`` unmounted after the block."""
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot {what} here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


@contextmanager
def tmpfs(folder: Path, *, size: str = "4m", inodes: int | None = None) -> Iterator[Path]:
    """``folder`` (made if missing) as a tmpfs of ``size`` bytes (``mount`` units: ``16k``) and
    at most ``inodes`` files and folders (its root included), unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (f",nr_inodes={inodes}" if inodes is not None else "")
    with _mounted(["-t", "tmpfs", "-o", options, "tmpfs", str(folder)], folder, "mount a tmpfs"):
        yield folder


def fill(folder: Path) -> Path:
    """Write to ``folder/fill`` until its disk has no block left; that file."""
    filler = folder / "fill"
    with filler.open("wb", buffering=0) as file:
        try:
            while True:
                file.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


@contextmanager
def immutable(path: Path) -> Iterator[Path]:
    """``path`` made immutable (``chattr +i``) for the block, and writable again after it."""
    if shutil.which("chattr") is None:
        pytest.skip("no chattr command")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot make a file immutable here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


@contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """``path`` (a folder or a file) bind-mounted read-only onto itself for the block: every
    write under it fails with EROFS, for root too, as on read-only media or a read-only share,
    and ``os.statvfs`` says ``ST_RDONLY``; unmounted (writable again) after it."""
    with _mounted(["--bind", str(path), str(path)], path, "bind-mount"):
        subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True)
        yield path


def file_size_limited(limit: int) -> Callable[[], None]:
    """``preexec_fn`` for a child none of whose files may grow past ``limit`` bytes: a write
    past it fails (EFBIG), and the process goes on (SIGXFSZ ignored) to say so."""

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited
