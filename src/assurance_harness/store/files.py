"""File primitives every writer shares: SHA-256 of a file, and atomic writes; and, for readers
of input files, whether a path can be read at all, and one UTF-8 check line by line.

One implementation each, so every hash the manifest, the ledger and the annex record is the
same function of the same bytes, and no reader (a resume, a CI upload, a browser, the ledger's
verifier) ever sees half a file.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from ..errors import ConfigError, HarnessError, RunFailedError, UsageError

__all__ = [
    "check_utf8_lines",
    "output_faults",
    "sha256_bytes",
    "sha256_file",
    "unreadable_reason",
    "write_bytes_atomic",
    "write_json_atomic",
    "write_output",
    "write_text_atomic",
]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, streamed in 1 MiB blocks (results files can be large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unreadable_reason(path: Path) -> str | None:
    """Why ``path`` cannot be read as an input file (nothing there, no permission, a folder, a
    pipe or a device), or None where it is a regular file. Asked before opening a file a
    target or an expander names: opening a FIFO waits for a writer that may never come, so
    ``validate`` would hang instead of saying what is wrong."""
    try:
        mode = Path(path).stat().st_mode
    except OSError as exc:
        return exc.strerror or str(exc)
    except ValueError:  # a NUL in the name: no system has such a file
        return "the path holds a NUL character"
    if stat.S_ISDIR(mode):
        return "Is a directory"  # the system's own words, as an open() of it would say
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe or a device)"
    return None


def check_utf8_lines(path: Path, source: str, hint: str) -> None:
    """Every line of the file decodes as UTF-8 (a byte-order mark allowed on the first), or one
    ``ConfigError`` names the line and the byte. Line by line, so a file of any size is checked
    in bounded memory before it is parsed as a stream (datasets, replay recordings). An
    ``OSError`` propagates: the caller says which file it could not read.

    Checked a megabyte at a time first (a newline never falls inside a UTF-8 sequence, so the
    file decodes exactly when each line does); only a file that does not is read line by line,
    for the line and the byte."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with Path(path).open("rb") as handle:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        return
    except UnicodeDecodeError:
        pass
    with Path(path).open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise ConfigError.single(
                    source,
                    f"not UTF-8: byte 0x{line[exc.start]:02x} cannot be decoded",
                    line=number,
                    hint=hint,
                ) from None


def _umask() -> int:
    """The process umask (reading it means setting it; set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class AtomicStream:
    """A file written piece by piece through a unique temporary file and renamed over ``path``
    on :meth:`close` (as :func:`write_bytes_atomic`, for files too large to hold in memory),
    its SHA-256 computed as it is written."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        os.chmod(self.tmp, 0o666 & ~_umask())
        self.handle = os.fdopen(fd, "wb")
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.handle.write(data)

    def close(self) -> str:
        """Make the file visible under its name; return its SHA-256."""
        self.handle.close()
        os.replace(self.tmp, self.path)
        return self.digest.hexdigest()

    def abort(self) -> None:
        self.handle.close()
        Path(self.tmp).unlink(missing_ok=True)


def write_bytes_atomic(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write through a unique temporary file in the same folder, then rename over ``path``.

    The temporary name is unique (two processes writing the same file never share it), the file
    gets the mode an ordinary ``open()`` would give (0666 less umask: reports are shared), and
    with ``fsync`` the bytes are on disk before the rename makes them visible.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str, *, fsync: bool = True) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), fsync=fsync)


def dumps_run_json(data: Any) -> str:
    """The serialisation of run.json, summary.json and manifest.json (their bytes are hashed
    into evidence records: two-space indent, insertion order, non-ASCII escaped, a final
    newline; values JSON cannot hold are written as their ``str``)."""
    return json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so readers never see half a file (``dumps_run_json``'s format)."""
    write_text_atomic(path, dumps_run_json(data))


@contextmanager
def output_faults(
    path: Path, *, kind: Literal["file", "folder"] = "file", option: str = "--out"
) -> Iterator[None]:
    """Writing a command's output ``path`` (given as ``option``): an OSError is one line naming
    it and the fix. A folder where a file goes, a file where a folder goes, or a path through
    a file is a usage error (exit 2); anything else (a full disk, a read-only folder) is a
    storage fault (exit 3)."""
    try:
        yield
    except OSError as exc:
        raise _output_fault(exc, Path(path), kind, option) from None


def _output_fault(exc: OSError, path: Path, kind: str, option: str) -> HarnessError:
    if path.is_symlink() and not path.exists():  # its errno (EEXIST, ENOENT) says neither
        return UsageError(
            f"{option} {path}: is a symlink to {os.readlink(path)}, which does not exist (or "
            "cannot be made); fix or remove the link, or choose another path"
        )
    if kind == "file" and path.is_dir():
        return UsageError(f"{option} {path}: is a folder; give the name of a file to write")
    if kind == "folder" and path.exists() and not path.is_dir():
        return UsageError(f"{option} {path}: is a file, not a folder; give a folder to write to")
    blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return UsageError(
            f"{option} {path}: {blocker} is a file, not a folder; choose another path"
        )
    # A failed rename (an atomic write) names its destination second: the file to fix.
    where = getattr(exc, "filename2", None) or exc.filename or path
    return RunFailedError(
        f"cannot write {where}: {exc.strerror or exc}; free space there or make it writable, "
        f"or give another {option}"
    )


def write_output(path: Path, data: str | bytes, *, option: str = "--out") -> None:
    """Write a file a user named on the command line (``option``): its folders made, written in
    place rather than renamed over (it may be a device or a pipe), a fault one line naming it
    (``output_faults``)."""
    with output_faults(path, option=option):
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
