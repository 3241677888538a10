"""A target that will not stop: its ``generate`` swallows the cancellation, or blocks the event
loop with a synchronous call. The first Ctrl-C (or SIGTERM) cannot end such a run; a second one
must, at once, with every answer received kept and a resume that finishes the run (a real
subprocess, real signals)."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from ..testing.cli import run_cli, start_cli
from ..testing.plugins import installed_plugin
from .rowfiles import comparable_rows

ANSWERED = 2
"""Requests the target answers before it stops answering (and stopping)."""

SUITE = (
    "suite: stubborn\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: p{i}}}\n" for i in range(5))
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)

HANGS = {
    # Catches the CancelledError and goes on waiting: no cancellation can end it.
    "swallows-cancel": (
        "            while True:\n"
        "                try:\n"
        "                    await asyncio.sleep(3600)\n"
        "                except asyncio.CancelledError:\n"
        "                    pass\n"
    ),
    # A synchronous call in an async method: the event loop itself stops.
    "blocks-the-loop": "            time.sleep(3600)\n",
}

PLUGIN = """\
import asyncio, time
from pathlib import Path

from assurance_harness.datatypes import GenerationResponse
from assurance_harness.targets.base import Target, TargetSpec


class StubbornSpec(TargetSpec):
    type: str = "stubborn"


class Stubborn(Target):
    type = "stubborn"
    Spec = StubbornSpec

    async def generate(self, request):
        here = Path.cwd()
        calls = here / "calls"
        seen = len(calls.read_text()) if calls.exists() else 0
        calls.write_text("x" * (seen + 1))
        if seen >= {answered} and not (here / "healed").exists():
{hang}        return GenerationResponse(text="echo " + request.messages[-1]["content"])
"""


def _target(root: Path, hang: str) -> tuple[Path, dict[str, str]]:
    """A target adapter installed as a plugin: it answers ``ANSWERED`` requests, then hangs in
    the run's own event loop until ``root/healed`` exists; its target file and the environment
    that finds it. (A callable target cannot hang a run so: its function runs off the run's
    event loop, a sync one in a thread, an async one on a loop of its own.)"""
    module = f"stubborn_{hang.replace('-', '_')}"
    source = PLUGIN.format(answered=ANSWERED, hang=HANGS[hang])
    entry_points = f"[assurance_harness.targets]\nstubborn = {module}:Stubborn\n"
    env = installed_plugin(root, module, {module: source}, entry_points)
    target = root / "t.yaml"
    target.write_text("type: stubborn\nconcurrency: 1\ntimeout_s: 1\n", encoding="utf-8")
    return target, env


def _hanging(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """``assurance ARGS...`` started, once its target has stopped answering."""
    proc = start_cli(*args, cwd=tmp_path, env=env)
    calls = tmp_path / "calls"
    deadline = time.monotonic() + 60
    while not (calls.exists() and len(calls.read_text()) > ANSWERED):  # now hanging
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    time.sleep(0.3)
    return proc


def _forced(proc: subprocess.Popen[str], signum: signal.Signals) -> str:
    """Signal twice: the first cannot end the run, the second must, at once; its stderr."""
    proc.send_signal(signum)
    with pytest.raises(subprocess.TimeoutExpired):  # the first signal cannot end it
        proc.wait(timeout=1.0)
    sent = time.monotonic()
    proc.send_signal(signum)
    try:
        _, stderr = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("a second signal did not end the run") from None
    assert time.monotonic() - sent < 2.0
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    return stderr


@pytest.mark.parametrize(
    ("signum", "hang"),
    [(signal.SIGINT, "swallows-cancel"), (signal.SIGTERM, "blocks-the-loop")],
    ids=["ctrl-c-swallowed", "sigterm-blocked"],
)
def test_a_second_signal_forces_a_stuck_run_to_stop_and_resume_finishes_it(
    tmp_path: Path, signum: signal.Signals, hang: str
) -> None:
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    target, env = _target(tmp_path, hang)
    args = ("run", "s.yaml", "--target", target.name, "--reports", "r", "--no-cache")
    stderr = _forced(_hanging(tmp_path, env, *args), signum)
    (journal,) = (tmp_path / "r").glob("*/responses.jsonl")
    assert len(journal.read_text().splitlines()) == ANSWERED
    forced = [line for line in stderr.splitlines() if line.startswith("forced to stop")]
    assert len(forced) == 1, stderr
    resume = forced[0].split("continue with: ", 1)[1].split()
    assert resume[:2] == ["assurance", "run"] and journal.parent.name in resume

    (tmp_path / "healed").touch()
    done = run_cli(*resume[1:], cwd=tmp_path, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    again = run_cli(
        *args[:-3], "--reports", "fresh", "--no-cache", cwd=tmp_path, timeout=60, env=env
    )
    assert again.returncode == 0, again.stderr
    (fresh,) = (tmp_path / "fresh").glob("*/results.jsonl")
    assert comparable_rows(journal.parent) == comparable_rows(fresh.parent)


def test_a_forced_stop_of_a_directory_run_names_the_suites_not_run(tmp_path: Path) -> None:
    """As a first Ctrl-C that stops the run does: the suites after the one stopped are named
    in the same line, or a user would take the directory as run but for one resume."""
    suites = tmp_path / "suites"
    suites.mkdir()
    for name in ("a", "b", "c"):
        text = SUITE.replace("suite: stubborn", f"suite: stubborn-{name}")
        (suites / f"{name}.yaml").write_text(text, encoding="utf-8")
    target, env = _target(tmp_path, "swallows-cancel")
    args = ("run", "suites", "--target", target.name, "--reports", "r", "--no-cache")
    stderr = _forced(_hanging(tmp_path, env, *args), signal.SIGINT)
    lines = stderr.splitlines()
    (forced,) = [line for line in lines if line.startswith("forced to stop")]
    resume = forced.split("continue with: ", 1)[1].split()
    assert str(Path("suites", "a.yaml")) in resume and "--resume" in resume
    not_run = [line for line in lines if "not run" in line]
    assert not_run == [
        "error: not run (the run stopped at this error): "
        f"{Path('suites', 'b.yaml')}, {Path('suites', 'c.yaml')}; run them once it is fixed"
    ], stderr
    assert lines.index(not_run[0]) > lines.index(forced)
