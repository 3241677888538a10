"""Ctrl-C or SIGTERM after the requests are out, while the run is finishing (the journal
closed, results scored, summary and reports written), or while it is already stopping: one
line that says how to continue, exit 130, no temporary file left in the run folder, and the
printed command completes the run with the results of an uninterrupted one.

The signals are real and land at an exact point: the target's module, imported by the run
before it sends anything, wraps the function at that point so that it sends the signal to its
own process there (once: the resumed run imports it again and is not trapped).
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ..testing.cli import run_cli
from ..testing.project import callable_target
from .rowfiles import comparable_rows

SUITE = (
    "suite: finishing\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: p{i}}}\n" for i in range(5))
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)

TRAP = """\
import atexit, os, signal, threading
from pathlib import Path

HERE = Path(__file__).parent
SIGNUM = signal.Signals[{signame!r}]


def fire(point):
    '''The signal, sent to this process once per point (a resumed run is not trapped again);
    to the calling thread where that is the main one, so it lands here and nowhere later.'''
    mark = HERE / ("fired-" + point)
    if mark.exists():
        return
    mark.touch()
    if threading.current_thread() is threading.main_thread():
        signal.raise_signal(SIGNUM)
    else:
        os.kill(os.getpid(), SIGNUM)


def reply(messages):
    if "reply" in POINTS and messages[-1]["content"] == "p2":
        fire("reply")
    return "echo " + messages[-1]["content"]


POINTS = {points!r}

if "journal-closed" in POINTS:  # just after the last response is fsynced and the file closed
    from assurance_harness.store.rundir import RunDir

    _close_journal = RunDir.close_journal

    def close_journal(self, **options):
        _close_journal(self, **options)
        if self.responses.exists():
            fire("journal-closed")

    RunDir.close_journal = close_journal

_replace, _unlink = os.replace, os.unlink


def replace(src, dst, *args, **kwargs):  # a file written, not yet renamed into place
    if "rename-" + Path(dst).name in POINTS:
        fire("rename-" + Path(dst).name)
    return _replace(src, dst, *args, **kwargs)


def unlink(path, *args, **kwargs):  # a temporary file being removed
    if "unlink-tmp" in POINTS and str(path).endswith(".tmp"):
        fire("unlink-tmp")
    return _unlink(path, *args, **kwargs)


os.replace, os.unlink = replace, unlink

if "counting" in POINTS:  # a stopped run reading its journal to say how much is saved
    from assurance_harness.runner import run as _run

    _index_journal = _run.index_journal

    def index_journal(*args, **kwargs):
        fire("counting")
        return _index_journal(*args, **kwargs)

    _run.index_journal = index_journal

if "loop-closing" in POINTS:  # the run's event loop closing (its asyncio.Runner's close)
    # Not a stream the function leaves open: an async function runs on a loop of its own,
    # finalised when the target closes, so it no longer reaches the run's loop.
    import asyncio.runners

    _close_runner = asyncio.runners.Runner.close

    def close_runner(self):
        fire("loop-closing")
        return _close_runner(self)

    asyncio.runners.Runner.close = close_runner

if "exit" in POINTS:  # the command is done and the process ending
    atexit.register(fire, "exit")
"""


def _project(root: Path, signum: signal.Signals, *points: str) -> Path:
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    module = "trap_" + "_".join(p.replace("-", "_").replace(".", "_") for p in points)
    return callable_target(root, module, TRAP.format(signame=signum.name, points=list(points)))


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``assurance ARGS`` to its end, with SIGINT acting as Ctrl-C whatever started the tests."""
    return run_cli(*args, cwd=root, timeout=60, ctrl_c=True)


def _start(root: Path, target: Path) -> subprocess.CompletedProcess[str]:
    return _run(root, "run", "s.yaml", "--target", target.name, "--reports", "r", "--no-cache")


def _temporary_files(reports: Path) -> list[str]:
    return sorted(p.name for p in reports.glob("*/*") if p.name.endswith(".tmp"))


def _the_way_on(stderr: str, first_words: str) -> list[str]:
    """The one line that says the run stopped, and the command it gives to continue."""
    said = [line for line in stderr.splitlines() if line.startswith(first_words)]
    assert len(said) == 1, stderr
    assert "Traceback" not in stderr
    command = said[0].split("continue with: ", 1)[1].split()
    assert command[:2] == ["assurance", "run"] and "--resume" in command, said[0]
    return command


def _results(run_dir: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    return comparable_rows(run_dir), summary["metrics"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], Any]:
    """The rows and metrics of the suite run once without a signal."""
    root = tmp_path_factory.mktemp("uninterrupted")
    target = _project(root, signal.SIGINT)
    done = _start(root, target)
    assert done.returncode == 0, done.stderr
    (run_dir,) = (root / "r").glob("*/summary.json")
    return _results(run_dir.parent)


def _resume_completes(root: Path, command: list[str], uninterrupted: Any) -> None:
    done = _run(root, *command[1:])
    assert done.returncode == 0, done.stderr
    assert _temporary_files(root / "r") == []
    (run_dir,) = (root / "r").glob("*/summary.json")
    assert _results(run_dir.parent) == uninterrupted


@pytest.mark.parametrize(
    ("point", "signum"),
    [
        ("loop-closing", signal.SIGTERM),
        ("journal-closed", signal.SIGTERM),
        ("rename-results.jsonl", signal.SIGINT),
        ("rename-summary.json", signal.SIGTERM),
        ("rename-report.html", signal.SIGINT),
    ],
)
def test_a_signal_while_the_run_finishes_stops_it_cleanly_and_resume_completes_it(
    tmp_path: Path, point: str, signum: signal.Signals, uninterrupted: Any
) -> None:
    target = _project(tmp_path, signum, point)
    stopped = _start(tmp_path, target)
    assert (tmp_path / f"fired-{point}").exists()
    assert stopped.returncode == 130, stopped.stderr
    command = _the_way_on(stopped.stderr, "interrupted: 5/5 responses are saved in run ")
    assert _temporary_files(tmp_path / "r") == []
    _resume_completes(tmp_path, command, uninterrupted)


@pytest.mark.parametrize(
    ("points", "signum"),
    [
        (("rename-summary.json", "unlink-tmp"), signal.SIGTERM),
        (("reply", "counting"), signal.SIGINT),
    ],
    ids=["removing-a-temporary-file", "counting-what-was-saved"],
)
def test_a_second_signal_while_the_run_stops_forces_the_stop_with_nothing_lost(
    tmp_path: Path, points: tuple[str, ...], signum: signal.Signals, uninterrupted: Any
) -> None:
    target = _project(tmp_path, signum, *points)
    stopped = _start(tmp_path, target)
    assert all((tmp_path / f"fired-{point}").exists() for point in points)
    assert stopped.returncode == 130, stopped.stderr
    command = _the_way_on(stopped.stderr, "forced to stop (interrupted again while stopping)")
    assert not any(line.startswith("interrupted") for line in stopped.stderr.splitlines())
    assert _temporary_files(tmp_path / "r") == []
    _resume_completes(tmp_path, command, uninterrupted)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_second_signal_once_the_run_said_how_to_continue_is_exit_130(
    tmp_path: Path, signum: signal.Signals
) -> None:
    # SIGTERM as Ctrl-C to the very end: the default action killed the process (-15, a shell's
    # 143) after it had printed that it was interrupted and how to continue.
    target = _project(tmp_path, signum, "reply", "exit")
    stopped = _start(tmp_path, target)
    assert (tmp_path / "fired-exit").exists()
    assert stopped.returncode == 130, stopped.stderr
    _the_way_on(stopped.stderr, "interrupted: ")


@pytest.mark.parametrize("point", ["rename-results.jsonl", "rename-report.html"])
def test_resume_after_a_kill_while_finishing_clears_its_temporary_files(
    tmp_path: Path, point: str, uninterrupted: Any
) -> None:
    # Nothing can clean up after SIGKILL (the OOM killer, `timeout -s KILL`, a forced stop's
    # os._exit): the temporary file being written stays, and --resume, which holds the run
    # folder alone, clears it. Readers meanwhile see only the run's own files.
    target = _project(tmp_path, signal.SIGKILL, point)
    killed = _start(tmp_path, target)
    assert killed.returncode == -signal.SIGKILL
    # The reports are all written before any is renamed (a reader never sees old and new
    # side by side), so a kill at one report's rename leaves each report's temporary file.
    left = _temporary_files(tmp_path / "r")
    assert any(name.startswith(f".{point.removeprefix('rename-')}.") for name in left), left
    assert len(left) == 1 or point == "rename-report.html", left
    listed = _run(tmp_path, "runs", "list", "--reports", "r", "--format", "json")
    assert listed.returncode == 0 and ".tmp" not in listed.stdout, listed.stderr
    (run_json,) = (tmp_path / "r").glob("*/run.json")
    command = ["assurance", "run", "s.yaml", "--target", target.name, "--reports", "r"]
    _resume_completes(
        tmp_path, [*command, "--no-cache", "--resume", run_json.parent.name], uninterrupted
    )


def test_sigterm_while_the_suite_is_checked_is_exit_130_as_ctrl_c_is(tmp_path: Path) -> None:
    # Before the run command's own code began handling it, SIGTERM killed the process (-15)
    # where Ctrl-C is a quiet 130; nothing is written yet, and no run folder is left.
    from ..testing.plugins import installed_plugin

    plugin = (
        "import signal\nsignal.raise_signal(signal.SIGTERM)\n"
        "from assurance_harness.scorers.base import Scorer\n\nclass Trap(Scorer):\n    pass\n"
    )
    env = installed_plugin(
        tmp_path,
        "trapplugin",
        {"trapplugin": plugin},
        "[assurance_harness.scorers]\ntrap = trapplugin:Trap\n",
    )
    target = _project(tmp_path, signal.SIGTERM)
    (tmp_path / "s.yaml").write_text(
        SUITE.replace("use: regex, with: {pattern: echo}", "use: trap")
    )
    stopped = run_cli(
        "run",
        "s.yaml",
        "--target",
        target.name,
        "--reports",
        "r",
        cwd=tmp_path,
        timeout=60,
        env=env,
        ctrl_c=True,
    )
    assert stopped.returncode == 130, stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert not (tmp_path / "r").exists()
