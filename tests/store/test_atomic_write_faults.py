"""A write that fails in an atomic writer (``store.files``: the run's cases, results, run.json,
summary and manifest) names the file being written: not the temporary file beside it, which is
removed, and not nothing (an error from a write to an open file names no file, and the runner
then named the reports folder).

Real faults: the process's file size limit (``RLIMIT_FSIZE``, which holds for root too; lowered
for the write only, SIGXFSZ ignored so the write fails instead of the process), and a tmpfs
with no inode left (skipped where mounting is refused)."""

from __future__ import annotations

import resource
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assurance_harness.store.files import AtomicStream, write_bytes_atomic
from tests.testing.tmpfs import tmpfs

LIMIT = 10_000


@contextmanager
def _file_size_limit(limit: int) -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    before = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, before)


def _streamed(path: Path, data: bytes) -> None:
    stream = AtomicStream(path)
    try:
        stream.write(data)
    except BaseException:
        stream.abort()
        raise
    stream.close()


WRITERS: dict[str, Callable[[Path, bytes], None]] = {
    "write_bytes_atomic": write_bytes_atomic,
    "write_bytes_atomic-no-fsync": lambda path, data: write_bytes_atomic(path, data, fsync=False),
    "AtomicStream": _streamed,
}


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
@pytest.mark.parametrize("size", [3 * LIMIT, LIMIT + 10], ids=["past-buffer", "in-buffer"])
def test_a_write_past_the_file_size_limit_names_the_file(
    tmp_path: Path, writer: Callable[[Path, bytes], None], size: int
) -> None:
    path = tmp_path / "results.jsonl"
    with _file_size_limit(LIMIT), pytest.raises(OSError) as caught:
        writer(path, b"x" * size)
    assert caught.value.strerror == "File too large"
    named = getattr(caught.value, "filename2", None) or caught.value.filename
    assert named == str(path)
    assert list(tmp_path.iterdir()) == []  # the temporary file removed


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_a_temporary_file_that_cannot_be_made_names_the_file(
    tmp_path: Path, writer: Callable[[Path, bytes], None]
) -> None:
    with tmpfs(tmp_path / "full", inodes=1) as folder:  # its root only: no file can be made
        path = folder / "manifest.json"
        with pytest.raises(OSError) as caught:
            writer(path, b"{}\n")
    named = getattr(caught.value, "filename2", None) or caught.value.filename
    assert named == str(path)  # not the temporary .manifest.json.XXXXXXXX.tmp
