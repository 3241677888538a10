"""A project folder for tests that need real runs: a suite of two cases and a callable target
that echoes the prompt, so ``assurance run s.yaml --target t.yaml`` passes offline."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

SUITE = (
    "suite: {name}\ncases:\n  - {{id: a, prompt: hi}}\n  - {{id: b, prompt: there}}\n"
    "scorers: [{{id: m, use: regex, with: {{pattern: echo}}}}]\n"
    "metrics: [{{id: r, rate: m.matched}}]\ngates: [{{metric: r, min: 0.5}}]\n"
)


def callable_target(root: Path, module: str, source: str, target: str = "t.yaml") -> Path:
    """``root/<module>.py`` holding ``source`` (which defines ``reply(messages)``) and the
    target file ``root/<target>`` that calls it; the target file's path."""
    (root / f"{module}.py").write_text(source, encoding="utf-8")
    path = root / target
    path.write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: [.]\n", encoding="utf-8"
    )
    return path


def echo_project(root: Path, suite: str = "echo") -> Path:
    """``root`` with ``s.yaml`` (suite ``suite``) and ``t.yaml`` (target ``t``); the target's
    module is named after the suite, so projects in one test session do not share it."""
    module = f"{suite.replace('-', '_')}_target"
    callable_target(
        root, module, "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n"
    )
    (root / "s.yaml").write_text(SUITE.format(name=suite), encoding="utf-8")
    return root


BREAKS_ON_FLAG = """\
from pathlib import Path

def reply(messages):
    if Path(__file__).with_name("broken").exists():
        return "no"
    return "echo " + messages[-1]["content"]
"""
"""A callable target's module that echoes each prompt until a file ``broken`` is made beside it,
then answers "no": the model behind an unchanged target broken between two runs."""

SENT = "def reply(messages):\n    open('SENT', 'a').close()\n    return 'echo hi'\n"
"""A target that leaves a file ``SENT`` behind once anything is sent to it."""


def sent_marking_project(
    root: Path, module: str, suite: str, files: dict[str, str] | None = None
) -> None:
    """``root`` with ``s.yaml`` holding ``suite``, ``t.yaml`` calling ``SENT`` (module
    ``module``), and ``files`` (name -> text) beside them: a test then sees from ``root/SENT``
    whether anything was sent before the project was refused."""
    callable_target(root, module, SENT)
    (root / "s.yaml").write_text(suite, encoding="utf-8")
    for name, text in (files or {}).items():
        (root / name).write_text(text, encoding="utf-8")


def echo_runs(root: Path, suite: str, count: int = 1) -> list[Path]:
    """``count`` finished runs of :func:`echo_project` (suite ``suite``) in ``root/reports``;
    their folders, oldest first.

    Made once per test process for each (suite, count) by the real CLI, and copied (the
    project and its reports folder, which hold no absolute path) into each ``root`` that asks
    again (unless ``root/reports`` is there already: they are made there, beside its runs).
    The runs are the same but for their ids and times, each measured afresh (``--no-cache``:
    a run answered from the cache repeats an earlier one, no verdict as a compared candidate);
    made anew each time, they were about a minute of the suite's time, one ``assurance run`` a
    second each."""
    if (root / "reports").exists():  # runs beside others: made here, into their index
        _make_echo_runs(root, suite, count)
    else:
        made = _ECHO_RUNS / f"{suite}-{count}"
        if not made.exists():
            shutil.rmtree(made.with_suffix(".tmp"), ignore_errors=True)  # a failed making's
            _make_echo_runs(made.with_suffix(".tmp"), suite, count).rename(made)
        shutil.copytree(made, root, dirs_exist_ok=True)
    from assurance_harness.compare.madeorder import MadeOrder
    from assurance_harness.compare.trend import latest_order
    from assurance_harness.store.runread import read_run

    runs = [p for p in (root / "reports").iterdir() if p.is_dir()]
    # In the harness's own order of the latest run (``compare.trend.latest_order``, as the
    # register, ``trend`` and ``baseline check`` take it): when each finished, then its place
    # in the ledger, then its start and its place in the run index. Runs made within one second
    # tie on their start, and an order by start and id alone put them by their ids' random
    # suffixes.
    made = MadeOrder.of(root / "reports")
    return sorted(runs, key=lambda p: latest_order(read_run(p), made))


def _make_echo_runs(root: Path, suite: str, count: int) -> Path:
    from .cli import into_the_next_second, run_cli

    root.mkdir(parents=True, exist_ok=True)
    echo_project(root, suite=suite)
    for i in range(count):
        if i:
            # Each run in a second of its own: one that a damaged or deleted later run leaves
            # behind is ordered by its start (only the index knows that run), and runs of one
            # second tie there, their ids' random suffixes deciding (a flaky order).
            into_the_next_second()
        done = run_cli(
            "run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-cache", cwd=root, timeout=60
        )
        assert done.returncode == 0, done.stderr
    return root


_ECHO_RUNS = Path(tempfile.mkdtemp(prefix="assurance-echo-runs-"))
"""This test process's made runs (:func:`echo_runs`), removed as it exits."""
atexit.register(shutil.rmtree, _ECHO_RUNS, True)


def target_that_blocks(root: Path, blocked: str, module: str, target: str = "tb.yaml") -> Path:
    """A callable target (``root/<target>``) echoing the prompt that, at its first reply, makes
    a folder at ``root/<blocked>``, where the run will want to write a file (a ledger's lock
    file): a write that fails once the run has begun, past every check made before anything is
    sent, as a full or read-only disk would (root ignores permissions)."""
    source = (
        "from pathlib import Path\n\n"
        "def reply(messages):\n"
        f"    blocked, done = Path({blocked!r}), Path({blocked + '.done'!r})\n"
        "    if not done.exists():\n"
        "        blocked.mkdir(parents=True)\n"
        "        done.write_text('')\n"
        "    return 'echo ' + messages[-1]['content']\n"
    )
    return callable_target(root, module, source, target)


def replay_project(root: Path, suite: str) -> Path:
    """``root`` with ``run.yaml`` (suite ``suite``: five cases from ``cases.jsonl``, a regex
    scorer and a rate) and ``replay.yaml``, a replay target answering each from
    ``recorded.jsonl``: a run with no target process, all of whose files are the harness's."""
    with (
        (root / "cases.jsonl").open("w", encoding="utf-8") as cases,
        (root / "recorded.jsonl").open("w", encoding="utf-8") as recorded,
    ):
        for i in range(5):
            prompt = f"Question {i}: what is {i} plus {i}?"
            cases.write(json.dumps({"id": f"c{i}", "prompt": prompt}) + "\n")
            recorded.write(json.dumps({"id": f"c{i}", "prompt": prompt, "response": "2"}) + "\n")
    (root / "run.yaml").write_text(
        f"suite: {suite}\ndataset: {{path: cases.jsonl, fields: {{id: id, prompt: prompt}}}}\n"
        "scorers:\n  - {id: num, use: regex, with: {pattern: '\\d+'}}\n"
        "metrics:\n  - {id: has_number, rate: num.matched}\n",
        encoding="utf-8",
    )
    (root / "replay.yaml").write_text("type: replay\npath: recorded.jsonl\n", encoding="utf-8")
    return root


STOPS_ONCE = (
    "import os, signal\ndef reply(messages):\n"
    "    if messages[-1]['content'] == 'there' and not os.path.exists('STOPPED'):\n"
    "        open('STOPPED', 'w').close()\n"
    "        os.kill(os.getpid(), signal.SIGINT)\n"
    "    return 'echo ' + messages[-1]['content']\n"
)
"""A target whose first send of ``there`` is a Ctrl-C to its run, once: the run stops part-way."""


def interrupted_run(root: Path, reports: str = "reports") -> str:
    """A run of :func:`echo_project` (in ``root``) into ``root/<reports>`` that a Ctrl-C stopped
    part-way; its id."""
    import re

    from .cli import run_cli

    echo_project(root, suite=f"rf-{root.name[-10:]}")
    callable_target(root, f"stops_{root.name[-10:].replace('-', '_')}", STOPS_ONCE)
    stopped = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", reports, cwd=root, ctrl_c=True
    )
    assert stopped.returncode == 130, stopped.stdout + stopped.stderr
    found = re.search(r"--resume (\S+)", stopped.stderr)
    assert found is not None, stopped.stderr
    return found.group(1)
