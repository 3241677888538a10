"""File primitives every writer shares: SHA-256 of a file, and atomic writes; and, for readers
of files a user names, one UTF-8 check line by line, bounded reads, and one test for a file
that cannot be read at all or is not a regular one (a pipe or a device, which a read would
wait on or never finish).

One implementation each, so every hash the manifest, the ledger and the annex record is the
same function of the same bytes, and no reader (a resume, a CI upload, a browser, the ledger's
verifier) ever sees half a file.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import io
import json
import os
import re
import signal
import stat
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import IO, Any, AnyStr, Literal

from ..errors import ConfigError, HarnessError, RunFailedError, UsageError

__all__ = [
    "MAX_READ_MB",
    "NOT_REGULAR_FILE",
    "ChangedWhileReadError",
    "bounded_lines",
    "check_changeable",
    "check_output_file",
    "check_output_folder",
    "check_register_file",
    "check_regular_file",
    "check_unchanged",
    "check_utf8_lines",
    "copy_hashed",
    "file_version",
    "interrupts_held",
    "is_special_file",
    "names_a_descriptor",
    "open_as_seen",
    "output_faults",
    "read_bounded",
    "read_limit",
    "remove_pending_temporary_files",
    "remove_stale_temporary_files",
    "run_folder_holding",
    "sha256_as_read",
    "sha256_bytes",
    "sha256_file",
    "too_large",
    "unreadable_reason",
    "write_bytes_atomic",
    "write_json_atomic",
    "write_output",
    "write_text_atomic",
]


def home_expanded(raw: str) -> Path:
    """``raw`` as a path with a leading ``~`` (or ``~user``) read as that home folder, as
    ``Path.expanduser`` does; where there is none to read it as (HOME unset for a user the
    system's user database does not list, as in a container under an arbitrary uid, or a
    ``~user`` this machine does not have) one configuration line naming the path, where
    pathlib's RuntimeError was an internal error reported as a bug in the harness."""
    try:
        return Path(raw).expanduser()
    except RuntimeError:  # "Could not determine home directory"
        head = raw.split("/", 1)[0]
        raise ConfigError.single(
            raw,
            f"the path starts with '{head}', and there is no home folder for it on this machine "
            "(HOME is not set and the user database does not list the user)",
            hint="write the path in full, or relative to the file that names it, or set HOME",
        ) from None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, streamed in 1 MiB blocks (results files can be large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_hashed(source: Path, target: Path) -> str:
    """Copy ``source`` to ``target`` and return the SHA-256 of the bytes written, read once:
    a hash taken by a second read, before or after the copy, may be of another file than the
    copy where the source changed in between."""
    digest = hashlib.sha256()
    with Path(source).open("rb") as reader, Path(target).open("wb") as writer:
        for block in iter(lambda: reader.read(1 << 20), b""):
            digest.update(block)
            writer.write(block)
    return digest.hexdigest()


NOT_REGULAR_FILE = "is not a regular file (a pipe or a device)"
"""The one wording for a path that names a FIFO, a socket or a device (/dev/zero, /dev/stdin)."""


def is_special_file(path: Path) -> bool:
    """Whether ``path`` exists (through its links) and is neither a regular file nor a folder:
    a FIFO is read until a writer closes it (never, if nobody writes), /dev/zero and
    /dev/urandom never end, so such a file is refused before it is opened. A path that does
    not exist, or cannot be looked at (a symlink loop), is not special: the open that follows
    reports it with its own reason."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


_DESCRIPTOR_FOLDER = re.compile(r"/proc/[^/]+/fd|/dev/fd")


def names_a_descriptor(path: Path) -> bool:
    """Whether ``path`` is, or links to, an open file descriptor of the process reading it
    (/dev/stdin, /dev/fd/3, /proc/self/fd/0): a stream whatever it is connected to, and with
    the descriptor closed, whatever file the process opens next under that number. Looked at
    link by link, without opening anything (up to 40 links, the system's own bound)."""
    current = os.path.abspath(path)
    for _ in range(40):
        if _DESCRIPTOR_FOLDER.fullmatch(os.path.realpath(os.path.dirname(current))):
            return True
        try:
            target = os.readlink(current)
        except (OSError, ValueError):
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
    return False


MAX_READ_MB: float = 32
"""The most the harness holds in memory from one piece of a file a user names: a YAML or JSON
file read whole, or one line of a JSONL or CSV file read as a stream. The HTTP targets' answer
limit (``max_response_mb``), for the same reason: far above any hand-written file, prompt or
answer, far below what a machine holds; a line of 20 GB (a sparse file, a log with no newline)
is refused at the limit instead of read into memory."""


def read_limit() -> int:
    """``MAX_READ_MB`` in bytes, read when called (tests make it small)."""
    return int(MAX_READ_MB * 1_000_000)


def too_large(
    source: str, *, line: int | None = None, hint: str, what: str | None = None
) -> ConfigError:
    """The one error for a file, or one of its lines, over ``MAX_READ_MB``; ``what`` names a
    piece other than a line that begins at ``line`` (a CSV row over several lines)."""
    what = what or ("line" if line is not None else "file")
    return ConfigError.single(
        source,
        f"the {what} is more than {MAX_READ_MB:g} MB (the most read at once)",
        line=line,
        hint=hint,
    )


def read_bounded(path: Path, source: str, *, hint: str) -> bytes:
    """The whole file, or ``too_large`` once more than ``MAX_READ_MB`` has been read (a file's
    size is not asked: /proc files say 0, and a file may grow while it is read). An
    ``OSError`` propagates: the caller says which file it could not read."""
    limit = read_limit()
    chunks: list[bytes] = []
    total = 0
    with Path(path).open("rb") as handle:
        # read(n) allocates n bytes before it reads: asking for the limit at once cost every
        # small file 32 MB of memory for a moment. The size said first; after a short read
        # (the end, most likely) one byte to make sure; a megabyte a time while more comes.
        size = os.fstat(handle.fileno()).st_size
        step = size + 1 if 0 < size < limit else 1 << 16
        while block := handle.read(min(step, limit + 1 - total)):
            chunks.append(block)
            total += len(block)
            if total > limit:
                raise too_large(source, hint=hint)
            step = 1 if len(block) < step else 1 << 20
    return b"".join(chunks)


def bounded_lines(handle: IO[AnyStr], source: str, *, hint: str) -> Iterator[AnyStr]:
    """The lines of ``handle``, as iterating it gives them, each read at most ``MAX_READ_MB``
    long (characters, on a text stream): a longer one is ``too_large`` with its line number,
    once that much of it is read, instead of a whole line of any length in memory."""
    limit = read_limit()
    number = 0
    while line := handle.readline(limit + 1):
        number += 1
        if len(line) > limit and line[-1:] not in ("\n", "\r", b"\n"):
            raise too_large(source, line=number, hint=hint)
        yield line


def file_version(path: Path) -> tuple[int, int, int, int]:
    """What changes when a file is written or replaced: its device and inode (a rename over it),
    size (an append) and modification time in nanoseconds (a rewrite in place)."""
    info = os.stat(path)
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


class ChangedWhileReadError(ConfigError):
    """A file a user named changed while the harness read it (see :func:`open_as_seen`)."""


def _changed(source: str, size: int | None = None) -> ChangedWhileReadError:
    if size == 0:  # /proc and /sys files say 0 and hold text: no writer, nothing to wait for
        return ChangedWhileReadError.single(
            source,
            "holds more than its size says (0 bytes): a /proc or /sys file, or one being written",
            hint="copy it to a regular file and name that",
        )
    return ChangedWhileReadError.single(
        source,
        "changed while it was read (written to, or replaced)",
        hint="run again once nothing writes to it",
    )


class _AsSeen(io.RawIOBase):
    """A file's bytes up to ``size``, then the end, unless more is there (see open_as_seen)."""

    def __init__(self, path: Path, size: int, source: str) -> None:
        self._raw = io.FileIO(path, "rb")
        self._left = size
        self._size = size
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            if self._left == 0 and self._raw.read(1):
                raise _changed(self._source, self._size)
            self._left = -1  # looked once: the end stays the end
            return 0
        view = memoryview(buffer).cast("B")[: self._left]
        count = self._raw.readinto(view) or 0
        self._left -= count
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_as_seen(path: Path, size: int | None, source: str) -> IO[bytes]:
    """``path`` opened to read no further than ``size`` bytes (its size when its reading began,
    from :func:`file_version`), then a ``ChangedWhileReadError`` if there is more: a writer
    appending faster than rows are parsed kept the reader reading (and the run's hash, then
    refused, was of bytes still being written) for as long as it wrote. A file cut shorter
    meanwhile ends early; its version then differs (``sha256_as_read``). ``size`` None: the
    whole file, as ``open`` reads it."""
    if size is None:
        return Path(path).open("rb")
    return io.BufferedReader(_AsSeen(path, size, source), buffer_size=1 << 20)


def sha256_as_read(path: Path, version: tuple[int, int, int, int], source: str) -> str:
    """The SHA-256 of a file read since ``version`` (its :func:`file_version` before the read),
    or a ``ChangedWhileReadError`` when it changed meanwhile: a hash taken after the read would
    otherwise name rows appended, or a file renamed over it, that were never read. Compared
    before the hash too, and hashed no further than the size it had: a file still being
    written is refused at once, not read on for as long as its writer writes."""
    check_unchanged(path, version, source)
    digest = hashlib.sha256()
    with open_as_seen(path, version[2], source) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    check_unchanged(path, version, source)
    return digest.hexdigest()


def check_unchanged(path: Path, version: tuple[int, int, int, int], source: str) -> None:
    """A ``ChangedWhileReadError`` unless ``path`` is still at ``version``: asked too where a
    read failed, as a file cut short mid-line reads as half a row, which is no fault of its
    content. An ``OSError`` (it is gone) propagates."""
    if file_version(path) != version:
        raise _changed(source)


def check_register_file(path: Path, *, option: str = "--register") -> None:
    """A ``--register`` that is no file is refused before the command does anything: a run
    would otherwise pass and record no evidence for it, and an attach or a verdict would write
    records without the risks the register maps to the suite. ``option``: the option to name
    (the pytest plugin's is ``--assurance-register``)."""
    if not path.is_file():
        why = (
            "a folder"
            if path.is_dir()
            else NOT_REGULAR_FILE.removeprefix("is ")
            if is_special_file(path)
            else "no such file"
        )
        raise UsageError(
            f"{option} {path}: {why}; give the risk register's YAML file, or leave {option} "
            "out (register/risk_register.yaml is used when present)"
        )


def unreadable_reason(path: Path) -> str | None:
    """Why ``path`` cannot be read as an input file (nothing there, no permission, a folder, a
    pipe or a device), or None where it is a regular file. Asked before opening a file a
    target or an expander names: opening a FIFO waits for a writer that may never come, so
    ``validate`` would hang instead of saying what is wrong. A path to a descriptor
    (/dev/stdin) is a stream too, whatever it is connected to (``names_a_descriptor``)."""
    if names_a_descriptor(path):
        return NOT_REGULAR_FILE.removeprefix("is ")
    try:
        mode = Path(path).stat().st_mode
    except OSError as exc:
        return exc.strerror or str(exc)
    except ValueError:  # a NUL in the name: no system has such a file
        return "the path holds a NUL character"
    if stat.S_ISDIR(mode):
        return "Is a directory"  # the system's own words, as an open() of it would say
    if not stat.S_ISREG(mode):
        return NOT_REGULAR_FILE.removeprefix("is ")
    return None


def check_regular_file(path: Path, hint: str) -> None:
    """A ``UsageError`` naming ``path`` when something is there that is not a regular file (a
    folder, a pipe, a device, a dangling link); nothing when it is one or nothing is there. For
    files a command reads and appends to (a run's journal): a FIFO there would be waited on,
    /dev/zero read until memory runs out."""
    path = Path(path)
    if not (path.exists() or path.is_symlink()):
        return
    reason = unreadable_reason(path)
    if reason is not None:
        raise UsageError(f"{path}: {reason.lower()}; {hint}")


def check_utf8_lines(
    path: Path,
    source: str,
    hint: str,
    *,
    line_hint: str = "split the file into lines",
    size: int | None = None,
) -> None:
    """Every line of the file decodes as UTF-8 (a byte-order mark allowed on the first), or one
    ``ConfigError`` names the line and the byte. Line by line, so a file of any size is checked
    in bounded memory before it is parsed as a stream (datasets, replay recordings). An
    ``OSError`` propagates: the caller says which file it could not read.

    Checked a megabyte at a time first (a newline never falls inside a UTF-8 sequence, so the
    file decodes exactly when each line does); only a file that does not is read line by line,
    for the line and the byte. A line longer than ``MAX_READ_MB`` is ``too_large`` (with
    ``line_hint``) as soon as that much of it is seen: the parse that follows would refuse it
    anyway, after this pass had read a file of gigabytes to its end. ``size``: read no further
    than that, as :func:`open_as_seen` (the size the file had when its reading began)."""
    limit = read_limit()
    block_size = max(1, min(1 << 20, limit))  # at most the limit: a line over it spans blocks
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open_as_seen(path, size, source) as handle:
            read = 0  # bytes read before this block
            line_start = 0  # where the line the next byte is on begins
            while block := handle.read(block_size):
                decoder.decode(block)
                if _ends_over(block, read - line_start, limit):
                    raise too_large(source, line=_line_at(path, line_start), hint=line_hint)
                line_start = read + _last_line_start(block, line_start - read)
                read += len(block)
                if read - line_start > limit:
                    raise too_large(source, line=_line_at(path, line_start), hint=line_hint)
            decoder.decode(b"", final=True)
        return
    except UnicodeDecodeError:
        pass
    with Path(path).open("rb") as handle:
        lines = bounded_lines(handle, source, hint=line_hint)
        for number, line in enumerate(lines, start=1):
            try:
                line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise ConfigError.single(
                    source,
                    f"not UTF-8: byte 0x{line[exc.start]:02x} cannot be decoded",
                    line=number,
                    hint=hint,
                ) from None


def _ends_over(block: bytes, seen: int, limit: int) -> bool:
    """Whether the line ``block`` starts in (``seen`` bytes of it read before) ends in it over
    ``limit``. Only that line, and the one the block ends in (its caller's check), can be over
    the limit: a line wholly inside the block is no longer than the block, which is no longer
    than the limit. A carriage return ends a line too (a CSV may end its rows with one alone),
    so no line the parse accepts is refused; it is looked for only where the line would
    otherwise be over, so a file of ordinary lines costs one find each way a block."""
    first = block.find(b"\n")
    if first < 0 or seen + first <= limit:
        return False
    cr = block.find(b"\r", 0, first)
    return cr < 0 or seen + cr > limit


def _last_line_start(block: bytes, before: int) -> int:
    """Where, from ``block``'s start, the last line begun in it begins: after its last newline
    (or, where it has none, its last carriage return); ``before`` where it begins none."""
    last = block.rfind(b"\n")
    if last < 0:
        last = block.rfind(b"\r")
    return before if last < 0 else last + 1


def _line_at(path: Path, offset: int) -> int:
    """The number of the line that begins at ``offset`` (the newlines before it, plus one), read
    again only when a line is refused: the pass over a good file counts nothing."""
    count = 0
    with Path(path).open("rb") as handle:
        while offset > 0 and (block := handle.read(min(1 << 20, offset))):
            count += block.count(b"\n")
            offset -= len(block)
    return count + 1


TEMPORARY_SUFFIX = ".tmp"
_STALE_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
"""The name of a temporary file an atomic write makes (``.NAME.XXXXXXXX.tmp``; the eight
characters are hex now, ``tempfile.mkstemp``'s letters, digits and ``_`` before)."""

_pending: set[str] = set()
"""The temporary files this process is writing that are not yet renamed into place or removed,
noted before each exists: what an interrupted run removes from its folder
(:func:`remove_pending_temporary_files`), however its interrupt landed."""

_CREATE_FLAGS = (
    os.O_RDWR
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
"""``tempfile.mkstemp``'s flags."""


def name_written_file(exc: OSError, path: Path | str, *, temporary: str | None = None) -> OSError:
    """``exc`` (changed in place) naming ``path``, the file being written, where it names no
    file (a write, flush or fsync on an open file names none) or only ``temporary``, the file an
    atomic write renames onto ``path``: the runner's one line then says which file failed, not
    the folder it knows of, nor a temporary file already removed. The one home of this, for
    every writer of the run's files (the atomic writes here, the journal: ``RunDir``)."""
    if exc.filename is None or (temporary is not None and exc.filename == temporary):
        exc.filename = str(path)
    return exc


def check_changeable(path: Path) -> None:
    """The OSError a change to the SQLite file ``path`` would fail with for want of a
    writable file or folder (immutable, a read-only mount, no permission), raised before it,
    changing nothing. For a purge's check before it records anything (the response cache,
    a scorer cache file, runs.db's review queue): that check opens the file read-only, which
    all of these let pass, so the purge was recorded in the ledger before the deletion failed,
    and the ledger said the run was purged while its files were still there."""
    from .readonly import read_only_fs

    os.close(os.open(path, os.O_RDWR))  # no truncation: nothing changes
    folder = path.parent
    if not os.access(folder, os.W_OK):  # SQLite writes its journal or -wal beside the file
        code = errno.EROFS if read_only_fs(folder) else errno.EACCES
        raise OSError(code, f"{os.strerror(code)} (its folder)", str(folder))


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path`` (``.NAME.XXXXXXXX.tmp``), open, with the mode an
    ordinary ``open()`` gives (0666 less umask: reports are shared), and in ``_pending`` from
    before it exists: ``tempfile.mkstemp`` made the file before it returned its name, so an
    interrupt landing in between left a file nobody knew of."""
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{os.urandom(4).hex()}{TEMPORARY_SUFFIX}")
        _pending.add(tmp)
        try:
            return os.open(tmp, _CREATE_FLAGS, 0o666), tmp
        except FileExistsError:
            _pending.discard(tmp)  # another's: draw again
        except OSError as exc:
            _pending.discard(tmp)  # not made: nothing to remove
            name_written_file(exc, path, temporary=tmp)
            raise
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(path))


def _remove_temporary(tmp: str) -> None:
    Path(tmp).unlink(missing_ok=True)
    _pending.discard(tmp)  # after the unlink: an interrupt in between leaves it noted


def remove_pending_temporary_files(folder: Path) -> None:
    """Remove the temporary files this process is writing in ``folder`` that no rename will
    now finish: a stopped run's, where its interrupt landed before a writer could remove its
    own (between making the file and its ``try``, or in that cleanup itself)."""
    where = os.path.abspath(folder)
    for tmp in list(_pending):
        if os.path.dirname(os.path.abspath(tmp)) == where:
            # A folder gone read-only meanwhile: --resume clears it (remove_stale_...).
            with suppress(OSError):
                _remove_temporary(tmp)


def remove_stale_temporary_files(folder: Path) -> None:
    """Remove the temporary files of atomic writes left in ``folder`` by a process that died
    before renaming them (SIGKILL, a forced stop, a power cut). Only for a folder the caller
    holds alone (a run folder under its lock), so no other writer has one open."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # the caller reads the folder next and reports what is wrong with it
    for entry in entries:
        if _STALE_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)


class AtomicStream:
    """A file written piece by piece through a unique temporary file and renamed over ``path``
    on :meth:`close` (as :func:`write_bytes_atomic`, for files too large to hold in memory),
    its SHA-256 computed as it is written."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = _create_temporary(self.path)
        try:
            self.handle = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            _remove_temporary(self.tmp)
            raise
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        try:
            self.handle.write(data)
        except OSError as exc:
            name_written_file(exc, self.path, temporary=self.tmp)
            raise

    def close(self, *, fsync: bool = False, only_if: str | None = None) -> str:
        """Make the file visible under its name (``fsync``: its bytes on disk first); return
        its SHA-256. ``only_if``: only where its SHA-256 is this one, else it is removed and
        nothing takes its name (a file made again to be one whose hash is recorded: anything
        else must not stand in its place; the caller compares the SHA-256 returned). On any
        failure, an interrupt too, the temporary file is removed."""
        try:
            if fsync:
                self.handle.flush()
                os.fsync(self.handle.fileno())
            self.handle.close()
            if only_if is not None and self.digest.hexdigest() != only_if:
                _remove_temporary(self.tmp)
                return self.digest.hexdigest()
            os.replace(self.tmp, self.path)
        except BaseException as exc:
            if isinstance(exc, OSError):
                name_written_file(exc, self.path, temporary=self.tmp)
            self.abort()
            raise
        _pending.discard(self.tmp)
        return self.digest.hexdigest()

    def abort(self) -> None:
        """Remove the temporary file. Closing it flushes what it buffers, which fails again
        after a failed write: that second failure (naming no file) is not raised over the
        first, and the bytes were unwanted anyway."""
        try:
            with suppress(OSError):
                self.handle.close()
        finally:
            _remove_temporary(self.tmp)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl-C (SIGINT) during the block takes effect once it is over, through the handler in
    place before it (Python's raises ``KeyboardInterrupt``; a run's counts it): for writes of
    two files that must not be split, such as the ledger's records and the anchor over them.
    As ``runner.forcestop.deferred`` does for a run, here for the layers below it; should the
    block raise, its exception is what ends the command. Main thread only; an ignored SIGINT
    stays ignored."""
    before = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(before):
        yield
        return
    held: list[FrameType | None] = []
    signal.signal(signal.SIGINT, lambda _signum, frame: held.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)
    if held:
        before(signal.SIGINT, held[0])


def write_bytes_atomic(
    path: Path, data: bytes, *, fsync: bool = True, mode: int | None = None
) -> None:
    """Write through a unique temporary file in the same folder, then rename over ``path``.

    The temporary name is unique (two processes writing the same file never share it), the file
    gets the mode an ordinary ``open()`` would give (0666 less umask: reports are shared) or
    ``mode`` (an earlier file's, kept: a user's 0600 output must not become readable by all),
    and with ``fsync`` the bytes are on disk before the rename makes them visible.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(path)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if isinstance(exc, OSError):
            name_written_file(exc, path, temporary=tmp)
        _remove_temporary(tmp)
        raise
    _pending.discard(tmp)


def write_files_together(files: Mapping[Path, bytes]) -> None:
    """Write every file of ``files`` (path -> bytes) through its own temporary file, and rename
    them into place only once all are written: a set of files read together (a run's reports)
    is never left part new, part old by a disk that fills, or a write that fails, part-way.
    On a failure, an interrupt too, every temporary file is removed and no file is replaced,
    so the old set stands whole. The renames need no space; only one failing in between (the
    folder made read-only meanwhile) could leave a mix, and it is raised naming its file."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path = Path(path)
            fd, tmp = _create_temporary(path)
            staged.append((tmp, path))
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
            except OSError as exc:
                name_written_file(exc, path, temporary=tmp)
                raise
        while staged:
            tmp, path = staged[0]
            try:
                os.replace(tmp, path)
            except OSError as exc:
                name_written_file(exc, path, temporary=tmp)
                raise
            _pending.discard(tmp)
            staged.pop(0)
    finally:
        for tmp, _path in staged:
            _remove_temporary(tmp)


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
    storage fault (exit 3). A named pipe no process reads, or a socket, is refused before
    anything is written: opening the pipe to write waited for ever for a reader."""
    if kind == "file":
        _refuse_special_output(Path(path), option)
    try:
        yield
    except OSError as exc:
        raise _output_fault(exc, Path(path), kind, option) from None


def _refuse_special_output(path: Path, option: str) -> None:
    """A named pipe is written to only while a process reads it (``-o >(gzip > x)``, a
    ``mkfifo`` being read); a socket never is."""
    try:
        mode = path.stat().st_mode
    except OSError:  # not there (yet): nothing to refuse
        return
    if stat.S_ISSOCK(mode):
        raise UsageError(f"{option} {path}: is a socket, not a file; give a file to write")
    if not stat.S_ISFIFO(mode):
        return
    try:  # without O_NONBLOCK, open() waits for a reader; with it, no reader is ENXIO
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    except OSError as exc:
        if exc.errno != errno.ENXIO:
            raise _output_fault(exc, path, "file", option) from None
        raise UsageError(
            f"{option} {path}: is a named pipe no process is reading; start its reader first, "
            "or give a file to write"
        ) from None


def _output_fault(exc: OSError, path: Path, kind: str, option: str) -> HarnessError:
    if path.is_symlink() and not path.exists():  # its errno (EEXIST, ENOENT) says neither
        return UsageError(
            f"{option} {path}: is a symlink to {os.readlink(path)}, which does not exist (or "
            "cannot be made); fix or remove the link, or choose another path"
        )
    misplaced = _misplaced_output(path, kind, option)
    if misplaced is not None:
        return misplaced
    # A failed rename (an atomic write) names its destination second: the file to fix.
    where = getattr(exc, "filename2", None) or exc.filename or path
    return RunFailedError(
        f"cannot write {where}: {exc.strerror or exc}; free space there or make it writable, "
        f"or give another {option}"
    )


def _misplaced_output(path: Path, kind: str, option: str) -> UsageError | None:
    """A folder where a file goes, a file where a folder goes, or a path through a file."""
    if kind == "file" and path.is_dir():
        return UsageError(f"{option} {path}: is a folder; give the name of a file to write")
    if kind == "folder" and path.exists() and not path.is_dir():
        return UsageError(f"{option} {path}: is a file, not a folder; give a folder to write to")
    blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return UsageError(
            f"{option} {path}: {blocker} is a file, not a folder; choose another path"
        )
    return None


def check_output_file(
    path: Path,
    *,
    suffixes: Sequence[str],
    writes: str,
    reads: Mapping[str, Path | None] | None = None,
    option: str = "--out",
) -> None:
    """Refuse, before any work, an output file the command must not write: a folder or a path
    through a file (as ``output_faults`` would after the work), a file the same command reads
    (``reads``: its option, or a name, to its path; a view written over the register or the
    CSV it came from destroyed its own input), or a suffix naming another format than the one
    written (``writes``, e.g. "trend writes PNG"; a PNG in notes.txt, JSON over suite.yaml),
    or a file in a run's folder (its evidence: report.md replaced by a comparison). A path
    without a suffix is allowed: /dev/stdout, a named pipe, a file the user named so."""
    misplaced = _misplaced_output(path, "file", option)
    if misplaced is not None:
        raise misplaced
    for source, read in (reads or {}).items():
        if read is not None and _same_file(path, read):
            raise UsageError(
                f"{option} {path}: is the file read as {source}, which this would replace; "
                "give another file"
            )
    run_folder = _run_folder_of(path)
    if run_folder is not None:
        raise UsageError(
            f"{option} {path}: is in the folder of run {run_folder.name}, whose files are its "
            "evidence; give a file outside it"
        )
    suffix = path.suffix.lower()
    if suffix and suffix not in suffixes:
        ending = ", ".join(suffixes[:-1]) + " or " + suffixes[-1] if suffixes[1:] else suffixes[0]
        raise UsageError(
            f"{option} {path}: ends {path.suffix}, but {writes}; give a file ending {ending}"
        )


def check_output_folder(
    path: Path, *, reads: Mapping[str, Path | None], option: str = "--out"
) -> None:
    """Refuse, before any work, an output folder the command must not fill: a file where the
    folder goes (as ``output_faults`` would after the work), a folder in (or below) a run's
    folder (an annex among its evidence, read as the run's own), or one holding a path the same
    command reads (``reads``: a name to its path): a pack first deletes an earlier pack's files
    there, and a run packed from an earlier pack's ``runs/<id>`` was such a file, lost."""
    misplaced = _misplaced_output(path, "folder", option)
    if misplaced is not None:
        raise misplaced
    run_folder = run_folder_holding(path)
    if run_folder is not None:
        raise UsageError(
            f"{option} {path}: is in the folder of run {run_folder.name}, whose files are its "
            "evidence; give a folder outside it"
        )
    for source, read in reads.items():
        if read is not None and _inside(read, path):
            raise UsageError(
                f"{option} {path}: holds {source} ({read}), read for this command, which "
                "writing there could delete or replace; give another folder"
            )


def _run_folder_of(path: Path) -> Path | None:
    """The run folder the file ``path`` would be written in, directly or below: a comparison
    written over its report.md, or added among its files, would be read as the run's own."""
    return run_folder_holding(path.parent)


def run_folder_holding(folder: Path) -> Path | None:
    """``folder`` or the nearest folder above it that is a run's. A run folder holds run.json
    from its making, and a finished one its summary.json and manifest.json; a lone
    summary.json (another tool's) does not make a folder a run's."""
    from .runread import MANIFEST, RUN_STATE, SUMMARY  # (runread reads through this module)

    try:
        resolved = folder.resolve()
        marks = ((RUN_STATE,), (SUMMARY, MANIFEST))
        for candidate in (resolved, *resolved.parents):
            if any(all((candidate / name).is_file() for name in mark) for mark in marks):
                return candidate
        return None
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL: refused where written
        return None


def links_outside(path: Path, *folders: Path) -> bool:
    """Whether ``path``, its links followed, lies below none of ``folders`` (their links
    followed too). The one rule for a run's file that is a link: one that stays in the run or
    reports folder is the project's own file; one to a file elsewhere (a run folder unpacked
    from someone else's archive, a link planted in the reports folder) is not the run's, and
    served (the web app) or packed for auditors (``evidence pack``) it would send that file,
    whatever it is. Both refuse it (``LINKS_OUTSIDE``)."""
    real = os.path.realpath(path)
    tops = (os.path.realpath(folder).rstrip(os.sep) + os.sep for folder in folders)
    return not any(real.startswith(top) for top in tops)


LINKS_OUTSIDE = "links to a file outside the reports folder"
"""What is said of a run file that ``links_outside`` its run and reports folders."""


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies below it (through links, or another spelling)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def _same_file(path: Path, other: Path) -> bool:
    """Whether both name one existing file (through links, or another spelling of the path)."""
    try:
        return path.exists() and other.exists() and path.samefile(other)
    except (OSError, ValueError):
        return False


def write_output(path: Path, data: str | bytes, *, option: str = "--out") -> None:
    """Write a file a user named on the command line (``option``): its folders made, a fault
    one line naming it (``output_faults``). A regular file, or none yet, is written beside and
    renamed over (``write_bytes_atomic``, keeping an earlier file's mode): written in place, a
    disk that could not hold it left an earlier output cut off or an empty new one. A device
    or a named pipe (/dev/stdout, ``>(gzip > x)``) cannot be renamed over and holds nothing to
    lose, and a link to nothing is refused as one where the write fails: written in place."""
    payload = data if isinstance(data, bytes) else data.encode("utf-8")
    with output_faults(path, option=option):
        path.parent.mkdir(parents=True, exist_ok=True)
        replaced = _replaceable_output(path)
        if replaced is None:
            with path.open("wb") as handle:
                handle.write(payload)
        else:
            target, mode = replaced
            write_bytes_atomic(target, payload, mode=mode)


def _replaceable_output(path: Path) -> tuple[Path, int | None] | None:
    """The regular file to rename a new ``path`` over (a link's target: the link stays, as an
    in-place write left it) and the mode it has (None: none yet), or None to write in place."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None if path.is_symlink() else (path, None)
    except OSError:
        return (path, None)  # the write fails the same way, naming it
    if not stat.S_ISREG(mode):
        return None
    return Path(os.path.realpath(path)), stat.S_IMODE(mode)


def check_local_path(value: str) -> str:
    """A pydantic validator's body for a field that names a local file or folder (a replay
    recording, a model directory): no system accepts a NUL in a path, and one let through
    fails later as ``ValueError: embedded null byte``, wherever the path is first opened."""
    if "\0" in value:
        raise ValueError("the path holds a NUL character; remove it")
    longest = max(len(part.encode("utf-8", "surrogatepass")) for part in value.split("/"))
    if longest > NAME_MAX_BYTES:
        # Asked of the system, such a name fails as OSError ENAMETOOLONG wherever it is first
        # looked up (an internal error from validate); no file system here would hold it.
        raise ValueError(
            f"a name in the path is {longest} bytes long, over the {NAME_MAX_BYTES} file "
            "systems allow; shorten it"
        )
    return value


def working_directory_hint(path: Path, base_dir: Path | None) -> str | None:
    """For a relative path a scorer reads from the working directory (an exemplar file, a model
    folder, a checkpoint) that is missing there but present in ``base_dir`` (the suite's
    folder): the hint saying where such paths are read from, and the path that would work.
    None otherwise."""
    if base_dir is None or path.is_absolute():
        return None
    beside = base_dir / path
    try:
        if not beside.exists():
            return None
        shown = os.path.relpath(beside)
    except (OSError, ValueError):  # a path the system refuses, or no relative path to it
        return None
    return f"this path is read from the working directory, not the suite's folder; give '{shown}'"


NAME_MAX_BYTES = 255
"""The longest file or folder name (one part of a path) ext4, XFS, Btrfs, tmpfs, NTFS and APFS
accept."""
