"""Start the tests' ``assurance`` processes from a warm interpreter, as real processes.

Most of the suite's time went into starting processes: each ``assurance`` command a test runs
imports numpy, pydantic, typer and (writing its report) matplotlib again, 0.3 to 0.6 s of CPU
before it does anything, and the suite runs a few thousand of them. Here one server process
per test process imports those third-party libraries once and, for each command, forks a child
that becomes ``python -m assurance_harness.cli ARGS...``: its own process, in the test's folder,
with the test's environment, its standard output and error on the test's pipes, its own exit
status (a signal's as a negative code, as ``subprocess`` gives). The server imports the
harness's own modules too, all but those whose import does something (takes Ctrl-C, reads the
terminal: :data:`IMPORTED_AFRESH`), which each child imports anew, so the command's
import-time behaviour (its start-up, its environment) is a new process's.

What a forked child cannot have as a fresh interpreter would, it does not get: where the
command's environment differs from the server's in anything read as an interpreter starts or as
those libraries are imported (``PYTHON*``, the locale, ``HOME``, a temporary folder, the
terminal's width or colours, thread counts), the command runs as a fresh process
(:func:`can_fork_for`). Tests of start-up itself (what a command imports, Ctrl-C while it
starts) start their processes directly and never come here. ``ASSURANCE_TESTS_FRESH_PROCESSES=1``
runs every command as a fresh process, as the suite did before.

Linux only (an abstract socket, ``SCM_RIGHTS``); elsewhere every command is a fresh process.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import types
from collections.abc import Mapping, Sequence
from typing import Any

PRELOADED = (
    "numpy",
    "pydantic",
    "yaml",
    "click",
    "typer",
    "rich.console",
    "jinja2",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    # What most commands go on to import, once the harness is imported (counted over 884
    # commands of the register, review, store, compare and spec tests): the standard library's
    # and pydantic's, typer's and rich's pieces loaded on first use, asyncio and uvloop (every
    # run), and scipy.special (the intervals).
    "asyncio",
    "concurrent.futures",
    "csv",
    "email.message",
    "email.parser",
    "email.utils",
    "getpass",
    "hmac",
    "importlib.metadata",
    "pydantic.fields",
    "pydantic.functional_serializers",
    "pydantic.functional_validators",
    "pydantic.json_schema",
    "pydantic.main",
    "pydantic.type_adapter",
    "pydantic.types",
    "queue",
    "regex",
    "rich.table",
    "scipy.special",
    "secrets",
    "sqlite3",
    "ssl",
    "typer._adapters",
    "uvloop",
    "zipfile",
)
"""What the server imports once: the third-party libraries every command imports, which make
up most of a command's start-up. Not aiohttp (the harness imports it its own way,
``targets/_aiohttp_import.py``)."""

HARNESS_PRELOADED = (
    "assurance_harness.cli",
    "assurance_harness.runner.run",
    "assurance_harness.metrics.engine",
    "assurance_harness.register.ledger",
    "assurance_harness.report.writer",
    "assurance_harness.review.store",
    "assurance_harness.targets.replay",
    "assurance_harness.store.scorercache",
)
"""The harness's modules most commands import, and what they import: the other third of a
command's start-up (0.1 to 0.4 s, its pydantic models built as their modules load). The server
imports them too, then forgets those of them with import-time behaviour of their own
(:data:`IMPORTED_AFRESH`), which each child imports anew as a fresh process does."""

IMPORTED_AFRESH = (
    "assurance_harness",
    "assurance_harness.cli_startup",
    "assurance_harness.console",
)
"""The harness's modules whose import does more than define things: the package's first lines
and ``cli_startup`` take Ctrl-C and ask whether this process is the command; ``console`` reads
the terminal's size and settles ``COLUMNS``, ``TERMINAL_WIDTH`` and ``LINES`` in the environment
as it makes its two consoles. Each child imports these (and the command's module, ``cli*``)
anew, and with them every module that holds something of theirs
(:func:`_forget_what_runs_on_import`)."""

COMMAND_MODULE = "assurance_harness.cli"

_STARTUP_NAMES = frozenset(
    {
        "HOME",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TMPDIR",
        "TEMP",
        "TMP",
        "TERM",
        "TERMINAL_WIDTH",
        "NO_COLOR",
        "FORCE_COLOR",
        "PY_COLORS",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "GITHUB_ACTIONS",
        "JUPYTER_COLUMNS",
        "JUPYTER_LINES",
    }
)
_STARTUP_PREFIXES = (
    "PYTHON",
    "LC_",
    "LD_",
    "MPL",
    "OMP_",
    "OPENBLAS",
    "MKL_",
    "NUMPY",
    "XDG_",
    "_TYPER",
    "TYPER",
    "RICH",
    "_CLICK",
    "ASSURANCE_TESTS_",
)
"""Environment variables read as an interpreter starts or as :data:`PRELOADED` is imported, or
that may be: a command whose environment differs from the server's in any of these runs as a
fresh process."""
# Not COLUMNS and LINES: the terminal's size is read when a console is made (rich's Console,
# shutil.get_terminal_size), in the child, never as those libraries are imported; a test that
# sets the width (29 of them) had every command started afresh.


_READ_WHEN_USED = frozenset({"PYTHONBREAKPOINT"})
"""``PYTHON*`` variables read when they are used, not as an interpreter starts: a forked child
has the command's own environment when ``breakpoint()`` reads it. (``ray.init`` sets this one
in its process for good: counted, every command after an in-process Ray test ran fresh.)"""


def _startup_environment(env: Mapping[str, str]) -> dict[str, str]:
    return {
        name: value
        for name, value in env.items()
        if (name in _STARTUP_NAMES or name.startswith(_STARTUP_PREFIXES))
        and name not in _READ_WHEN_USED
    }


class ZygoteUnavailable(Exception):
    """The server could not start the command (it is gone): nothing was started."""


class Zygote:
    """One server process for this test process; :meth:`run` starts a command through it."""

    def __init__(self) -> None:
        self._address = f"\0assurance-tests-zygote-{os.getpid()}-{os.urandom(6).hex()}"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self._address)
        listener.listen(64)
        self._environment = dict(os.environ)
        self._server = subprocess.Popen(
            [sys.executable, __file__, str(listener.fileno())],
            stdin=subprocess.PIPE,  # the server's lifeline: it ends when this process does
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=[listener.fileno()],
        )
        listener.close()
        atexit.register(self.close)

    def close(self) -> None:
        """End the server (its lifeline closed): at this process's exit, or where a test
        wants a fresh one."""
        if self._server.stdin is not None and not self._server.stdin.closed:
            self._server.stdin.close()
        try:
            self._server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._server.kill()
            self._server.wait()

    def can_fork_for(self, env: Mapping[str, str]) -> bool:
        """Whether a command with environment ``env`` may start as a forked child (above)."""
        return self._server.poll() is None and _startup_environment(env) == _startup_environment(
            self._environment
        )

    def run(
        self,
        argv: Sequence[str],
        cwd: str | None,
        env: Mapping[str, str],
        timeout: float,
        *,
        ctrl_c: bool = False,
        file_size_limit: int | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """``python -m assurance_harness.cli ARGV...`` in ``cwd`` with ``env``, to completion:
        as ``subprocess.run(..., capture_output=True, text=True, timeout=timeout)`` gives.
        ``ctrl_c``: the command takes SIGINT as a user's Ctrl-C, as a fresh process started
        with SIGINT's default action does (Python's own handler in place as its start-up puts
        it), whatever the server inherited (a shell's background job has SIGINT ignored).
        ``file_size_limit``: no file the command writes may grow past these bytes
        (``tmpfs.file_size_limited``, set in the child before it imports the command)."""
        command = [sys.executable, "-m", COMMAND_MODULE, *argv]
        request = json.dumps(
            {
                "argv": list(argv),
                "cwd": cwd or os.getcwd(),
                "env": dict(env),
                "ctrl_c": ctrl_c,
                "file_size_limit": file_size_limit,
            }
        ).encode()
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            try:
                conn.connect(self._address)
                socket.send_fds(
                    conn, [len(request).to_bytes(8, "big") + request], [out_write, err_write]
                )
                reply = conn.makefile("rb")
                started = reply.readline()
                if not started:
                    raise OSError("the server ended")
            except OSError as exc:  # nothing was started: the caller starts a fresh process
                os.close(out_read)
                os.close(err_read)
                raise ZygoteUnavailable(str(exc)) from exc
            finally:
                os.close(out_write)
                os.close(err_write)
            pid = int(started)
            deadline = time.monotonic() + timeout
            out, err, timed_out = _read_both(out_read, err_read, deadline)
            if timed_out:
                os.kill(pid, signal.SIGKILL)
            ended = reply.readline()
        if not ended:
            raise RuntimeError(f"the zygote server ended before command {pid}'s exit status came")
        status = int(ended)
        code = os.waitstatus_to_exitcode(status)
        stdout, stderr = _text(out), _text(err)
        if timed_out:
            raise subprocess.TimeoutExpired(command, timeout, stdout, stderr)
        return subprocess.CompletedProcess(command, code, stdout, stderr)


def _read_both(out_fd: int, err_fd: int, deadline: float) -> tuple[bytes, bytes, bool]:
    """Read both pipes to their end (every process holding them gone), as ``communicate`` does;
    True with what was read if ``deadline`` passed first."""
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    with selectors.DefaultSelector() as selector:
        for fd in chunks:
            selector.register(fd, selectors.EVENT_READ)
        open_fds = set(chunks)
        try:
            while open_fds:
                left = deadline - time.monotonic()
                if left <= 0:
                    return b"".join(chunks[out_fd]), b"".join(chunks[err_fd]), True
                for key, _ in selector.select(left):
                    data = os.read(key.fd, 65536)
                    if data:
                        chunks[key.fd].append(data)
                    else:
                        selector.unregister(key.fd)
                        open_fds.discard(key.fd)
        finally:
            os.close(out_fd)
            os.close(err_fd)
    return b"".join(chunks[out_fd]), b"".join(chunks[err_fd]), False


def _text(data: bytes) -> str:
    # subprocess's text mode: the locale's encoding, universal newlines
    import locale

    text = data.decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


_zygote: Zygote | None = None
_lock = threading.Lock()


def zygote() -> Zygote | None:
    """This test process's server (started on first use), or None where commands run as fresh
    processes (asked to, or not Linux)."""
    global _zygote
    if os.environ.get("ASSURANCE_TESTS_FRESH_PROCESSES") == "1" or not sys.platform.startswith(
        "linux"
    ):
        return None
    with _lock:
        if _zygote is None or _zygote._server.poll() is not None:
            _zygote = Zygote()
        return _zygote


# --- the server ---------------------------------------------------------------------------


def serve(listener_fd: int) -> None:
    """Import :data:`PRELOADED`, then fork a child for each request until this server's
    parent is gone (its standard input ends)."""
    import importlib

    for name in (*PRELOADED, *HARNESS_PRELOADED):
        importlib.import_module(name)
    _forget_what_runs_on_import()
    listener = socket.socket(fileno=listener_fd)
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    waiting: dict[int, socket.socket] = {}
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wakeup_read, selectors.EVENT_READ)
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ)
    while True:
        for key, _ in selector.select(1.0):
            if key.fd == sys.stdin.fileno():
                if not os.read(key.fd, 4096):
                    return  # the test process is gone
            elif key.fd == wakeup_read:
                os.read(wakeup_read, 4096)
            else:
                conn, _ = listener.accept()
                pid = _start(conn, (listener, selector), (wakeup_read, wakeup_write), waiting)
                if pid:
                    waiting[pid] = conn
        while waiting:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if not pid:
                break
            conn = waiting.pop(pid, None)
            if conn is not None:
                with contextlib.suppress(OSError):  # the test process stopped waiting
                    conn.sendall(f"{status}\n".encode())
                conn.close()


def _forget_what_runs_on_import() -> None:
    """Forget (from ``sys.modules``) the harness's modules that each child must import anew:
    :data:`IMPORTED_AFRESH`, the command's own ``cli*`` modules, and, until none is left, every
    module holding one of theirs (the module itself, a function or class of it, or one of its
    objects: ``console.err``), so that no module kept in the server reaches code or state of a
    server's import. A package's own submodules, which it holds as attributes, do not count."""
    harness = "assurance_harness"
    forgotten = {
        name for name in sys.modules if name in IMPORTED_AFRESH or name.startswith(f"{harness}.cli")
    }
    elsewhere = {  # objects some other library holds too: ``Any``, ``Path``, a shared default
        id(value)
        for name, module in list(sys.modules.items())
        if not name.startswith(harness)
        for value in vars(module).values()
    }
    plain = (type, types.ModuleType, types.FunctionType, int, float, str, bytes, frozenset)
    objects = {
        id(value)
        for name in IMPORTED_AFRESH
        for key, value in vars(sys.modules[name]).items()
        if not key.startswith("__")
        and value is not None
        and not isinstance(value, plain)
        and id(value) not in elsewhere
    }

    def holds_forgotten(name: str, module: types.ModuleType) -> bool:
        for key, value in vars(module).items():
            if key.startswith("__"):
                continue
            if isinstance(value, types.ModuleType):
                source: object = value.__name__
            else:
                source = getattr(value, "__module__", None)
            own_submodule = isinstance(source, str) and source.startswith(f"{name}.")
            if (source in forgotten and not own_submodule) or id(value) in objects:
                return True
        return False

    while True:
        more = {
            name
            for name, module in list(sys.modules.items())
            if name.startswith(harness) and name not in forgotten and holds_forgotten(name, module)
        }
        if not more:
            break
        forgotten |= more
    for name in forgotten:
        del sys.modules[name]


def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    head, fds, _flags, _address = socket.recv_fds(conn, 8, 2)
    size = int.from_bytes(head, "big")
    body = b""
    while len(body) < size:
        chunk = conn.recv(size - len(body))
        if not chunk:
            raise OSError("request cut short")
        body += chunk
    return json.loads(body), list(fds)


def _start(
    conn: socket.socket,
    server_objects: tuple[Any, ...],
    server_fds: tuple[int, ...],
    waiting: Mapping[int, socket.socket],
) -> int:
    """Fork a child for ``conn``'s request; its pid (sent on ``conn`` too). The child closes
    every socket, pipe and selector of the server's (``server_objects``, ``server_fds``), so the
    command holds no descriptor a fresh process would not."""
    request, fds = _receive(conn)
    pid = os.fork()
    if pid == 0:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for other in (*server_objects, conn, *waiting.values()):
            other.close()
        for fd in server_fds:
            os.close(fd)
        _become(request, fds)  # never returns; fd 0, the server's lifeline, is replaced
    for fd in fds:
        os.close(fd)
    conn.sendall(f"{pid}\n".encode())
    return pid


def _become(request: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: become ``python -m assurance_harness.cli ARGV...`` as started in
    the request's folder with its environment; its exit ends this process."""
    out_fd, err_fd = fds
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    for fd in (null, out_fd, err_fd):
        os.close(fd)
    if request.get("ctrl_c"):
        # What a fresh interpreter started with SIGINT's default action installs as it starts
        # (``testing.signals.default_sigint`` before exec), before the package's first lines
        # look at it.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if request.get("file_size_limit") is not None:
        import resource

        limit = int(request["file_size_limit"])
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    sys.path[0] = os.getcwd()  # as ``python -m`` puts it
    sys.argv = ["-m", *request["argv"]]
    sys.orig_argv = [sys.executable, "-m", COMMAND_MODULE, *request["argv"]]
    import importlib
    import runpy

    # What ``python -m`` imports first, anew (IMPORTED_AFRESH): the package, given its kept
    # submodules as attributes, as it would have once they were imported under it.
    package = importlib.import_module("assurance_harness")
    for name, module in list(sys.modules.items()):
        parent, _, child = name.rpartition(".")
        if parent == package.__name__ and child not in vars(package):
            setattr(package, child, module)
    runpy._run_module_as_main(COMMAND_MODULE)  # type: ignore[attr-defined]
    sys.exit(0)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
