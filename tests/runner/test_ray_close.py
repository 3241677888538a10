"""``--executor ray``: a target whose ``close()`` never returns inside the sender actors is left
after its ``timeout_s`` and the user is told, as the local executor does; the actors' closes
went unsaid (a real ``assurance run`` with its own local Ray instance)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.runner.executors.ray_executor import PROBE_REQUESTS

from ..testing.cli import run_cli
from ..testing.plugins import installed_plugin

PLUGIN = f"""\
import asyncio

from assurance_harness.datatypes import GenerationResponse
from assurance_harness.targets.base import Target, TargetSpec


class LateSpec(TargetSpec):
    type: str = "lateclose"


class LateClose(Target):
    type = "lateclose"
    Spec = LateSpec

    def __init__(self, spec, *, base_dir="."):
        super().__init__(spec, base_dir=base_dir)
        self.served = 0

    async def close(self):
        # A connection a long shard leaves behind: only a copy that has sent more than the
        # driver's probe hangs, so the driver's own close (said already) is not what is seen.
        if self.served > {PROBE_REQUESTS}:
            await asyncio.Event().wait()

    async def generate(self, request):
        self.served += 1
        return GenerationResponse(text="echo " + request.messages[-1]["content"])
"""

CASES = PROBE_REQUESTS + 24
"""Enough that the actors get requests after the driver's probe."""

SUITE = (
    "suite: late-close\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: p{i}}}\n" for i in range(CASES))
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)


@pytest.mark.slow
def test_a_close_that_hangs_in_the_ray_actors_is_left_after_its_timeout_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed")
    env = installed_plugin(
        tmp_path,
        "lateplug",
        {"lateplug": PLUGIN},
        "[assurance_harness.targets]\nlateclose = lateplug:LateClose\n",
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    # One actor and one shard: the one close that hangs costs one timeout_s.
    (tmp_path / "t.yaml").write_text(
        "type: lateclose\ntimeout_s: 1\nconcurrency: 1\n", encoding="utf-8"
    )
    monkeypatch.delenv("RAY_ADDRESS", raising=False)  # its own local instance
    proc = run_cli(
        *("run", "s.yaml", "--target", "t.yaml", "--executor", "ray"),
        *("--reports", "reports", "--no-report", "--no-cache"),
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        "warning: t.yaml: the target's close() did not return within its timeout_s (1 s); "
        "the run went on without it (every answer is saved)"
    ], proc.stderr
    (journal,) = (tmp_path / "reports").glob("*/responses.jsonl")
    assert len(journal.read_text(encoding="utf-8").splitlines()) == CASES
