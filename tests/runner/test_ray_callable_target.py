"""``--executor ray`` with a ``type: callable`` target (docs/ray.md: the module importable on
every node): the same rows and figures as the local executor. Observed: every such run
stopped at the first shard handed to the sender actors with "internal error: TypeError: Could
not serialize the argument <CallableTarget ...>" (the driver pickled a target object, which
holds a lock), after the driver had sent its probe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.runner.executors.ray_executor import PROBE_REQUESTS

from ..testing.cli import run_cli
from ..testing.project import callable_target
from .rowfiles import comparable_rows

CASES = PROBE_REQUESTS + 30
"""Enough that the sender actors get requests after the driver's probe."""

SUITE = (
    "suite: ray-callable\nseed: 5\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: p{i}}}\n" for i in range(CASES))
    + "scorers: [{id: m, use: regex, with: {pattern: 'echo p1'}}, {id: n, use: length}]\n"
    "metrics: [{id: r, rate: m.matched}, {id: w, mean: n.words}]\n"
    "gates: [{metric: r, max: 0.5}]\n"
)

BOT = "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n"


@pytest.mark.slow
def test_a_callable_target_on_ray_gives_the_local_rows_and_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)  # its own local instance
    callable_target(tmp_path, "ray_callable_bot", BOT)
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    summaries = {}
    for name in ("local", "ray"):
        proc = run_cli(
            *("run", "s.yaml", "--target", "t.yaml", "--executor", name),
            *("--reports", name, "--no-report", "--no-cache"),
            cwd=tmp_path,
            timeout=180,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
        (summaries[name],) = (tmp_path / name).glob("*/summary.json")
    local, ray = (json.loads(summaries[n].read_text(encoding="utf-8")) for n in ("local", "ray"))
    assert comparable_rows(summaries["ray"].parent) == comparable_rows(summaries["local"].parent)
    assert len(comparable_rows(summaries["ray"].parent)) == CASES
    assert ray["metrics"] == local["metrics"] and ray["gates"] == local["gates"]
