"""Ctrl-C while the finishing step builds the run record's models is honoured once they are built.

The run log's models written after sending (``runlog._WrittenAfterSending``: results rows,
summary, manifest, index row) build their validators late: on the prefetch thread while the
requests are out, but a run with no more requests than its concurrency never starts that
thread, and the models were built where first used, on the main thread, as the run finished.
A Ctrl-C landing in pydantic's compiled core there was lost (the run went on as if none came)
or came out as a SchemaError (an internal error, exit 3). The finishing step now builds them
first, inside ``forcestop.deferred``: the Ctrl-C stops the run just after, as one landing
anywhere else in the finishing step does (exit 130, the responses kept, the resume command).

The signal is real and lands inside the build: the target's module (imported before anything
is sent) adds a model written after sending whose ``Literal`` member sends SIGINT as pydantic's
core hashes it, once (the resumed run is not trapped again).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ..testing.cli import run_cli
from ..testing.project import callable_target

SUITE = (
    "suite: finish-models\ncases:\n  - {id: a, prompt: hi}\n  - {id: b, prompt: there}\n"
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)

TRAP = """\
import enum, json, os, signal
from pathlib import Path
from typing import Literal

from assurance_harness.store import runlog

HERE = Path(__file__).parent


class Flag(str, enum.Enum):
    on = "on"

    def __hash__(self):
        mark = HERE / "fired"
        if Flag.armed and not mark.exists():
            handler = signal.getsignal(signal.SIGINT)
            mark.write_text(json.dumps(getattr(handler, "__qualname__", repr(handler))))
            os.kill(os.getpid(), signal.SIGINT)
        return str.__hash__(self)


Flag.armed = False


class BuiltAsTheRunFinishes(runlog._WrittenAfterSending):
    flag: Literal[Flag.on] = Flag.on


Flag.armed = True  # from here on only a validator being built hashes the member


def reply(messages):
    with open(HERE / "sent", "a") as out:
        out.write(messages[-1]["content"] + "\\n")
    return "echo " + messages[-1]["content"]
"""


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``assurance ARGS`` to its end, with SIGINT acting as Ctrl-C whatever started the tests."""
    return run_cli(*args, cwd=root, timeout=120, ctrl_c=True)


def test_ctrl_c_while_the_finishing_step_builds_the_models_stops_the_run_cleanly(
    tmp_path: Path,
) -> None:
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    callable_target(tmp_path, "finish_models_trap", TRAP)
    # Two cases, the default concurrency: the prefetch thread never starts.
    stopped = _run(tmp_path, "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-cache")
    assert (tmp_path / "fired").exists(), (stopped.returncode, stopped.stderr)
    # Built on the main thread inside the deferred section, not where first used.
    assert "deferred" in json.loads((tmp_path / "fired").read_text()), stopped.stderr
    assert stopped.returncode == 130, (stopped.returncode, stopped.stdout, stopped.stderr)
    assert "Traceback" not in stopped.stderr and "internal error" not in stopped.stderr
    said = [
        line
        for line in stopped.stderr.splitlines()
        if line.startswith("interrupted: 2/2 responses are saved in run ")
    ]
    assert len(said) == 1, stopped.stderr
    assert not list((tmp_path / "r").glob("*/summary.json"))  # stopped before it was written
    command = said[0].split("continue with: ", 1)[1].split()
    assert command[:2] == ["assurance", "run"] and "--resume" in command, said[0]

    resumed = _run(tmp_path, *command[1:])
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "sent").read_text().split() == ["hi", "there"]  # nothing sent again
    (summary,) = (tmp_path / "r").glob("*/summary.json")
    assert json.loads(summary.read_text(encoding="utf-8"))["gates"][0]["verdict"] == "pass"
