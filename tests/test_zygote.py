"""The tests' warm start of ``assurance`` processes (``testing.zygote``) gives what a fresh
process gives: its output, exit status, folder, environment, arguments, path and descriptors;
and a fresh process where the start-up could differ."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .testing.cli import run_cli
from .testing.zygote import ZygoteUnavailable, zygote

pytestmark = pytest.mark.skipif(zygote() is None, reason="commands start as fresh processes here")

PROBE = """\
import json, os, sys, types
from pathlib import Path

from assurance_harness import cli_startup


def stale():
    # Harness functions, classes and modules that some harness module holds but that are not
    # what sys.modules now holds under their names: a server's import the child did not redo.
    found = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("assurance_harness") or module is None:
            continue
        for key, value in vars(module).items():
            if isinstance(value, types.ModuleType):
                home, current = value.__name__, sys.modules.get(value.__name__)
                if home.startswith("assurance_harness") and current is not value:
                    found.append(f"{name}.{key}")
                continue
            home = getattr(value, "__module__", None)
            qualname = getattr(value, "__qualname__", "")
            if not (isinstance(home, str) and home.startswith("assurance_harness")):
                continue
            if "." in qualname or "<" in qualname or home not in sys.modules:
                continue
            if getattr(sys.modules[home], qualname, value) is not value:
                found.append(f"{name}.{key}")
    return found


def answer(prompt):
    Path(os.environ["PROBE_OUT"]).write_text(json.dumps({
        "the_command": cli_startup.is_the_command(),
        "stale": stale(),
        "cwd": os.getcwd(),
        "argv0": sys.argv[0],
        "path0": sys.path[0],
        "orig_argv": sys.orig_argv[1:],
        "fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd")),
        "secret": os.environ.get("PROBE_SECRET"),
        "pid": os.getpid(),
        "ppid": os.getppid(),
    }))
    return "fine"
"""


def _project(root: Path) -> None:
    (root / "bot.py").write_text(PROBE)
    (root / "t.yaml").write_text("type: callable\nfunction: bot:answer\n")
    (root / "s.yaml").write_text(
        'suite: probe\nversion: "1"\ncases:\n  - {id: a, prompt: hello}\n'
        "scorers:\n  - {id: m, use: contains, with: {terms: [fine]}}\n"
        'metrics:\n  - {id: r, rate: "m.matched"}\n'
        "gates:\n  - {metric: r, min: 1.0}\n"
    )


def _fresh(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assurance_harness.cli", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_warm_command_is_a_fresh_ones_equal(tmp_path: Path) -> None:
    warm_root, fresh_root = tmp_path / "warm", tmp_path / "fresh"
    seen = {}
    for root, start in ((warm_root, run_cli), (fresh_root, _fresh)):
        root.mkdir()
        _project(root)
        env = {"PROBE_OUT": str(root / "probe.json"), "PROBE_SECRET": "s3"}
        done = start("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=root, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        seen[root.name] = (json.loads((root / "probe.json").read_text()), done)
    (warm, warm_done), (fresh, fresh_done) = seen["warm"], seen["fresh"]
    assert warm["ppid"] != os.getpid()  # forked by the server, not started here
    # The package and its start-up imported anew in the child, which knows it is the command;
    # no module kept from the server's import reaches a function or module it replaced.
    assert warm["the_command"] is True and warm["stale"] == [], warm
    for key in ("argv0", "orig_argv", "fds", "secret", "the_command", "stale"):
        assert warm[key] == fresh[key], key
    assert warm["cwd"] == str(warm_root) and warm["path0"] == str(warm_root)
    assert fresh["cwd"] == str(fresh_root) and fresh["path0"] == str(fresh_root)
    # The same lines, but for the run's own id and rate
    assert len(warm_done.stdout.splitlines()) == len(fresh_done.stdout.splitlines())
    assert warm_done.stderr.count("\n") == fresh_done.stderr.count("\n")


def test_exit_statuses_and_output_as_a_fresh_process(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("suite: [\n")
    for args in (("--version",), ("validate", "s.yaml"), ("no-such-command",)):
        warm = run_cli(*args, cwd=tmp_path)
        fresh = _fresh(*args, cwd=tmp_path, env={})
        assert (warm.returncode, warm.stdout, warm.stderr) == (
            fresh.returncode,
            fresh.stdout,
            fresh.stderr,
        ), args


def test_a_start_up_setting_in_the_environment_starts_a_fresh_process(tmp_path: Path) -> None:
    server = zygote()
    assert server is not None
    assert server.can_fork_for(dict(os.environ))
    assert server.can_fork_for({**os.environ, "ASSURANCE_API_KEY": "x"})
    for name, value in (("TERMINAL_WIDTH", "40"), ("PYTHONPATH", str(tmp_path)), ("LANG", "C")):
        assert not server.can_fork_for({**os.environ, name: value}), name


def test_a_setting_read_only_when_used_keeps_the_warm_start() -> None:
    """``ray.init`` sets ``PYTHONBREAKPOINT`` in its process for good; it is read when
    ``breakpoint()`` is called, not as an interpreter starts. Counted as a start-up setting,
    every command after a Ray test ran as a fresh process, and this file's tests failed on the
    test process that had run one."""
    server = zygote()
    assert server is not None
    ray_set = {**os.environ, "PYTHONBREAKPOINT": "ray.util.rpdb._driver_set_trace"}
    assert server.can_fork_for(ray_set)


def test_the_terminal_width_set_for_a_command_is_the_one_it_prints_at(tmp_path: Path) -> None:
    """``COLUMNS`` and ``LINES`` are read when a console is made, in the child: a command given
    them starts warm and prints at that width, as a fresh process does."""
    server = zygote()
    assert server is not None
    assert server.can_fork_for({**os.environ, "COLUMNS": "40", "LINES": "10"})
    for columns in ("40", "150"):
        warm = run_cli("run", "--help", cwd=tmp_path, env={"COLUMNS": columns})
        fresh = _fresh("run", "--help", cwd=tmp_path, env={"COLUMNS": columns})
        assert warm.returncode == fresh.returncode == 0, warm.stderr + fresh.stderr
        assert warm.stdout == fresh.stdout, columns
        widest = max(len(line) for line in warm.stdout.splitlines())
        assert widest <= int(columns) and (columns == "40" or widest > 40), widest


def test_a_command_past_its_timeout_is_killed(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text("import time\ndef answer(prompt):\n    time.sleep(60)\n")
    (tmp_path / "t.yaml").write_text("type: callable\nfunction: bot:answer\ntimeout_s: 120\n")
    (tmp_path / "s.yaml").write_text(
        'suite: slow\nversion: "1"\ncases:\n  - {id: a, prompt: hello}\n'
        "scorers:\n  - {id: m, use: contains, with: {terms: [x]}}\n"
        'metrics:\n  - {id: r, rate: "m.matched"}\n'
    )
    began = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path, timeout=3)
    assert time.monotonic() - began < 30


def test_a_server_gone_is_replaced_and_no_command_is_lost(tmp_path: Path) -> None:
    server = zygote()
    assert server is not None
    server._server.kill()
    server._server.wait()
    # Gone between the check and the command: nothing started, said so (run_cli then starts
    # the command fresh), and the next command gets a new server.
    with pytest.raises(ZygoteUnavailable):
        server.run(["--version"], str(tmp_path), dict(os.environ), timeout=30)
    assert server.can_fork_for(dict(os.environ)) is False
    done = run_cli("--version", cwd=tmp_path)
    assert done.returncode == 0 and "assurance-harness" in done.stdout
    again = zygote()
    assert again is not None and again is not server and again.can_fork_for(dict(os.environ))
    assert run_cli("--version", cwd=tmp_path).stdout == done.stdout


CTRL_C_PROBE = """\
import json, os, signal
from pathlib import Path


def answer(prompt):
    Path(os.environ["PROBE_OUT"]).write_text(json.dumps({
        "sigint": getattr(signal.getsignal(signal.SIGINT), "__qualname__", None),
    }))
    signal.raise_signal(signal.SIGINT)
    return "fine"
"""


def test_a_warm_command_takes_ctrl_c_as_a_fresh_one_does_when_the_tests_ignore_it(
    tmp_path: Path,
) -> None:
    """``run_cli(..., ctrl_c=True)`` forks its command warm: the child puts Python's Ctrl-C
    handler in place as a fresh interpreter started with SIGINT's default action does, even
    where the server was started with SIGINT ignored (a shell's background job)."""
    import signal

    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        old = zygote()
        assert old is not None
        old.close()
        server = zygote()  # a new server, started with SIGINT ignored
        assert server is not None and server is not old
    finally:
        signal.signal(signal.SIGINT, before)
    try:
        seen = _ctrl_c_probes(tmp_path)
    finally:
        # Gone with this test: the next command gets a server started as the others are.
        server.close()
    (warm, warm_done), (fresh, fresh_done) = seen["warm"], seen["fresh"]
    assert warm == fresh, (warm, fresh)
    assert warm["sigint"] not in (None, "SIG_IGN"), warm
    assert warm_done.returncode == fresh_done.returncode == 130, warm_done.stderr
    assert warm_done.stderr.count("\n") == fresh_done.stderr.count("\n")
    assert "Traceback" not in warm_done.stderr


def _ctrl_c_probes(tmp_path: Path) -> dict[str, tuple[dict[str, object], Any]]:
    """The probe run warm with ``ctrl_c`` and fresh with SIGINT's default action: what each
    saw of SIGINT's handler, and how each ended."""
    from .testing.signals import default_sigint

    seen = {}
    for name in ("warm", "fresh"):
        root = tmp_path / name
        root.mkdir()
        _project(root)
        (root / "bot.py").write_text(CTRL_C_PROBE)
        env = {"PROBE_OUT": str(root / "probe.json")}
        args = ("run", "s.yaml", "--target", "t.yaml", "--no-report")
        if name == "warm":
            done = run_cli(*args, cwd=root, env=env, ctrl_c=True)
        else:
            done = subprocess.run(
                [sys.executable, "-m", "assurance_harness.cli", *args],
                cwd=root,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=120,
                preexec_fn=default_sigint,
            )
        seen[name] = (json.loads((root / "probe.json").read_text()), done)
    return seen
