"""The CLI's fast exit loses nothing a normal exit keeps: atexit handlers run, open files are
flushed, worker threads finish, the exit status is the command's."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.testing.cli import run_cli


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )


def test_atexit_handlers_run_and_open_files_are_flushed(tmp_path: Path) -> None:
    code = (
        "import atexit\n"
        "from assurance_harness.cli_exit import exit_now\n"
        "left_open = open('buffered.txt', 'w')\n"
        "left_open.write('x' * 100)\n"  # in the buffer, never closed
        "cycle = {}; cycle['self'] = cycle; cycle['file'] = open('in_cycle.bin', 'wb')\n"
        "cycle['file'].write(b'y' * 10)\n"
        "atexit.register(lambda: open('atexit.txt', 'w').write('ran'))\n"
        "print('to stdout', end='')\n"
        "exit_now(3)\n"
    )
    proc = _python(code, tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == "to stdout"
    assert (tmp_path / "buffered.txt").read_text() == "x" * 100
    assert (tmp_path / "in_cycle.bin").read_bytes() == b"y" * 10
    assert (tmp_path / "atexit.txt").read_text() == "ran"


def test_a_running_worker_thread_is_waited_for(tmp_path: Path) -> None:
    code = (
        "import threading, time\n"
        "from assurance_harness.cli_exit import exit_now\n"
        "def work():\n"
        "    time.sleep(0.3)\n"
        "    open('worker.txt', 'w').write('done')\n"
        "threading.Thread(target=work).start()\n"
        "exit_now(None)\n"
    )
    proc = _python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "worker.txt").read_text() == "done"


def test_the_cli_exit_status_and_output_are_unchanged(tmp_path: Path) -> None:
    helped = run_cli("--help")
    assert helped.returncode == 0 and "Usage" in helped.stdout
    missing = run_cli("run", "nothing.yaml", "--target", "t.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "nothing.yaml" in missing.stdout + missing.stderr


def test_files_whose_close_writes_more_than_a_flush_are_closed(tmp_path: Path) -> None:
    """A gzip file's trailer, a zip file's directory and a named temporary file's removal
    happen only when they are closed (their finalizers at a normal exit): a plugin that leaves
    one open must not get a truncated or stray file from the fast exit."""
    code = (
        "import gzip, tempfile, zipfile\n"
        "from assurance_harness.cli_exit import exit_now\n"
        "packed = gzip.open('out.gz', 'wt'); packed.write('row\\n' * 100)\n"
        "archive = zipfile.ZipFile('out.zip', 'w'); archive.writestr('a.txt', 'a')\n"
        "scratch = tempfile.NamedTemporaryFile(dir='.', prefix='scratch')\n"
        "exit_now(0)\n"
    )
    proc = _python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    with gzip.open(tmp_path / "out.gz", "rt") as packed:
        assert packed.read() == "row\n" * 100
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert archive.namelist() == ["a.txt"]
    assert not list(tmp_path.glob("scratch*"))


def test_a_class_only_registered_with_io_base_is_left_as_a_normal_exit_leaves_it(
    tmp_path: Path,
) -> None:
    """A class registered with ``io.IOBase`` without being built on it has no finalizer that
    flushes it: a normal exit leaves it unflushed, and so does this one."""
    code = (
        "import io, sys\n"
        "from assurance_harness.cli_exit import exit_now\n"
        "class Buffered:\n"
        "    closed = False\n"
        "    def flush(self): open('virtual.txt', 'w').write('flushed')\n"
        "io.IOBase.register(Buffered)\n"
        "kept = Buffered()\n"
        "exit_now(0) if sys.argv[1:] == ['fast'] else sys.exit(0)\n"
    )
    for how in ("normal", "fast"):
        done = subprocess.run(
            [sys.executable, "-c", code, how], capture_output=True, text=True, timeout=60,
            cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert not (tmp_path / "virtual.txt").exists(), how
