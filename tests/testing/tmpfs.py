"""A small tmpfs mounted for one test: a real full disk (``size``) or a real lack of inodes
(``inodes``), where the harness meets ENOSPC from the kernel, not from a mock. Mounting needs
root (CI may not be): the test is skipped where the mount is refused."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(folder: Path, *, size: str = "4m", inodes: int | None = None) -> Iterator[Path]:
    """``folder`` (made if missing) as a tmpfs of ``size`` bytes (``mount`` units: ``16k``) and
    at most ``inodes`` files and folders (its root included), unmounted afterwards."""
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (f",nr_inodes={inodes}" if inodes is not None else "")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
