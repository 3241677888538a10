"""``--executor ray`` when a scorer's actor goes wrong: a real ``assurance run`` with its own
local Ray instance, a third-party scorer that kills its own process (a native library's
crash, the OOM killer) or hangs, and the run stopped there.

Observed: an actor whose process died was "internal error: ActorDiedError ... (a bug in
assurance-harness)" with a crash file; SIGTERM during a Ray run (a CI timeout, ``docker
stop``) was "internal error: SystemExit: 1" under Ray's C++ stack dump, because ``ray.init``
replaced the run's SIGTERM handler with its own ``sys.exit``. Now: one line naming the scorer
and what happened (exit 3), or the interrupted line (exit 130), each with the resume command,
which, once the scorer behaves, completes the run from the saved responses.
"""

from __future__ import annotations

import json
import re
import signal
import time
from pathlib import Path

import pytest

from ..testing.cli import run_cli, start_cli
from ..testing.plugins import installed_plugin

PLUGIN = """\
import os, time
from pathlib import Path
from typing import Any

from assurance_harness.scorers.base import Scorer, ScorerParams

HERE = Path(__file__).parent


class FaultyScorer(Scorer):
    name = "faulty"
    version = "1"
    Params = ScorerParams
    fields = {"n": "a number"}

    def score(self, batch: list[Any]) -> list[Any]:
        mode = (HERE / "mode").read_text().strip()
        if mode == "exit":
            os._exit(7)
        if mode == "hang":
            (HERE / "hanging").touch()
            time.sleep(600)
        return [{"n": 1.0} for _ in batch]
"""

CASES = 20
SUITE = (
    "suite: ray-faults\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: p{i}}}\n" for i in range(CASES))
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}, {id: f, use: faulty}]\n"
    "metrics: [{id: r, rate: m.matched}, {id: n, mean: f.n}]\n"
    "gates: [{metric: r, min: 0.5}]\n"
)
RUN = ("run", "s.yaml", "--target", "t.yaml", "--executor", "ray")
RUN += ("--reports", "reports", "--no-report", "--no-evidence")


def _project(tmp_path: Path, mode: str) -> dict[str, str]:
    env = installed_plugin(
        tmp_path,
        "faultyplug",
        {"faultyplug": PLUGIN},
        "[assurance_harness.scorers]\nfaulty = faultyplug:FaultyScorer\n",
    )
    (tmp_path / "site" / "mode").write_text(mode, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    with (tmp_path / "rec.jsonl").open("w", encoding="utf-8") as rec:
        for i in range(CASES):
            rec.write(json.dumps({"id": f"c{i}", "response": f"echo p{i}"}) + "\n")
    (tmp_path / "t.yaml").write_text("type: replay\npath: rec.jsonl\n", encoding="utf-8")
    return env


def _resume_completes(
    tmp_path: Path, env: dict[str, str], text: str, *, executor: str = "ray"
) -> None:
    """The printed resume command, run once the scorer behaves, finishes the run with every
    case; on ``executor`` (how a run is sent changes none of its figures, so a Ray run may be
    finished locally: the signal tests do, which saves starting a second Ray instance each)."""
    found = re.search(r"--resume (\S+)", text)
    assert found, text
    (tmp_path / "site" / "mode").write_text("ok", encoding="utf-8")
    again = [*RUN[: RUN.index("--executor")], *RUN[RUN.index("--executor") + 2 :]]
    again += ["--executor", executor, "--resume", found.group(1)]
    done = run_cli(*again, cwd=tmp_path, env=env, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    (summary,) = (tmp_path / "reports").glob("*/summary.json")
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["counts"]["requests"] == CASES
    assert data["metrics"]["n"]["value"] == 1.0
    rows = (summary.parent / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) == CASES


@pytest.mark.slow
def test_a_scorer_actor_whose_process_dies_is_one_line_exit_3_and_resume_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)  # its own local instance
    env = _project(tmp_path, "exit")
    failed = run_cli(*RUN, cwd=tmp_path, env=env, timeout=180)
    text = failed.stdout + failed.stderr
    assert failed.returncode == 3, text
    assert "Traceback" not in text and "internal error" not in text, text
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error: ")]
    assert "scorer 'f' (faulty)" in errors[0] and "process died" in errors[0], errors
    # Ray's own notice on starting a local instance ("Token authentication is enabled for this
    # Ray cluster. Set RAY_AUTH_MODE=disabled to opt out ...") is not among the run's lines.
    assert "Token authentication" not in text, text
    assert not list((tmp_path / "reports").glob("*/traceback.txt"))
    _resume_completes(tmp_path, env, text)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_a_ray_scorer_hangs_stops_with_the_resume_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: signal.Signals
) -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    env = _project(tmp_path, "hang")
    proc = start_cli(*RUN, cwd=tmp_path, env=env)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "site" / "hanging").exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.2)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    text = out + err
    assert proc.returncode == 130, text
    assert "Traceback" not in text and "internal error" not in text, text
    assert f"{CASES}/{CASES} responses are saved" in text, text
    assert "--executor ray" in text, text  # the printed command continues it on Ray
    _resume_completes(tmp_path, env, text, executor="local")
