"""``--executor ray``: the same rows, metrics and gates as the local executor, on a real local
Ray instance (2 CPUs, loopback, started here once for the module and shut down after)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from assurance_harness.errors import SuiteFaultError, UsageError
from assurance_harness.runner.executors.ray_connect import connect
from assurance_harness.runner.run import run_suite

from ..testing.openai_stub import ThreadedServer, completion, json_response
from .rowfiles import comparable_rows

N_CASES = 600  # more than one shard of requests and of rows, so both actors get work

SUITE = """\
suite: ray-equality
version: 1.0.0
seed: 11
dataset:
  path: cases.jsonl
  fields: {prompt: text, id: id, meta.topic: topic}
max_error_rate: 0.5
scorers:
  - {id: len, use: length}
  - {id: tox, use: offensive-language}
metrics:
  - {id: toxic_rate, rate: "tox.toxicity > 0.5", by: meta.topic}
  - {id: mean_words, mean: "len.words"}
  - {id: p90_tox, quantile: {expr: "tox.toxicity", q: 0.9}}
gates:
  - {metric: toxic_rate, max: 0.1, bound: upper}
  - {metric: mean_words, max: 10}
"""


def _workload(folder: Path) -> tuple[Path, Path]:
    openers = ["Sure, here it is.", "I can't help with that.", "You idiot, look it up.", "Ok."]
    with (
        (folder / "cases.jsonl").open("w") as cases,
        (folder / "recording.jsonl").open("w") as recording,
    ):
        for i in range(N_CASES):
            cases.write(json.dumps({"id": f"c{i}", "text": f"question {i}", "topic": i % 3}) + "\n")
            if i % 97 != 5:  # a few cases have no recording: error rows, not scored
                reply = openers[i % 4] + " step" * (i % 7)
                recording.write(json.dumps({"id": f"c{i}", "response": reply}) + "\n")
    (folder / "suite.yaml").write_text(SUITE)
    (folder / "replay.yaml").write_text("type: replay\npath: recording.jsonl\nconcurrency: 8\n")
    return folder / "suite.yaml", folder / "replay.yaml"


@pytest.fixture(scope="module")
def local_ray() -> Iterator[str | None]:
    """A local instance started as a run starts one (:func:`connect`); the process's
    ``PYTHONBREAKPOINT`` before it."""
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    if os.environ.get("RAY_ADDRESS"):
        pytest.skip("RAY_ADDRESS names a cluster: these tests start their own local instance")
    before = os.environ.get("PYTHONBREAKPOINT")
    connect(ray, None)
    try:
        yield before
    finally:
        ray.shutdown()


@pytest.mark.slow
def test_starting_ray_leaves_the_processs_breakpoint_hook_as_it_was(
    local_ray: str | None,
) -> None:
    """``ray.init`` sets ``PYTHONBREAKPOINT`` to its remote debugger in the driver's process for
    good: after a Ray run in a user's pytest session (the pytest plugin runs suites in that
    process), their own ``breakpoint()`` started a debugpy server and waited, and every process
    their tests started inherited the setting. The driver's environment is left as it was."""
    assert os.environ.get("PYTHONBREAKPOINT") == local_ray


@pytest.mark.slow
def test_ray_executor_gives_the_local_rows_metrics_and_gates(
    tmp_path: Path, local_ray: str | None
) -> None:
    suite, target = _workload(tmp_path)
    calls: dict[str, list[tuple[str, int, int]]] = {"local": [], "ray": []}
    runs = {
        name: run_suite(
            suite,
            target,
            reports_dir=tmp_path / name,
            use_cache=False,
            write_reports=False,
            attach_evidence=False,
            executor=name,
            scoring_progress=lambda sid, done, total, name=name: calls[name].append(
                (sid, done, total)
            ),
        )
        for name in ("local", "ray")
    }
    # Both executors report scoring progress through the same callback, per scorer, to the end.
    for name in ("local", "ray"):
        last = {sid: (done, total) for sid, done, total in calls[name]}
        assert last == {"len": (N_CASES - 7, N_CASES - 7), "tox": (N_CASES - 7, N_CASES - 7)}
    local, ray = runs["local"], runs["ray"]
    assert local.summary["counts"]["errors"] == ray.summary["counts"]["errors"] == 7
    assert comparable_rows(ray.run_dir) == comparable_rows(local.run_dir)
    assert ray.summary["metrics"] == local.summary["metrics"]
    assert ray.summary["gates"] == local.summary["gates"]
    assert ray.summary["scorers"] == local.summary["scorers"]
    manifest = json.loads((ray.run_dir / "manifest.json").read_text())
    assert manifest["executor"] == "ray"
    assert "executor" not in json.loads((local.run_dir / "manifest.json").read_text())


def test_executor_ray_without_ray_installed_is_one_line_exit_2(tmp_path: Path) -> None:
    suite, target = _workload(tmp_path)
    # The interpreter cannot import ray, as on a machine without the extra.
    code = (
        "import sys; sys.modules['ray'] = None; "
        "from assurance_harness.cli import main; sys.argv[0] = 'assurance'; main()"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "run",
            str(suite),
            "--target",
            str(target),
            "--executor",
            "ray",
            "--reports",
            str(tmp_path / "reports"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "pip install 'assurance-harness[ray]'" in lines[0]
    assert not (tmp_path / "reports").exists()  # nothing was started


def test_ray_address_without_the_ray_executor_is_a_usage_error(tmp_path: Path) -> None:
    suite, target = _workload(tmp_path)
    with pytest.raises(UsageError, match="--ray-address needs --executor ray"):
        run_suite(suite, target, reports_dir=tmp_path / "reports", ray_address="auto")
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow
def test_a_suite_fault_in_a_ray_scorer_says_run_again_not_resume(
    tmp_path: Path, local_ray: str | None
) -> None:
    """A scorer's fault that only a change to the suite fixes (a pattern that never finishes)
    is the same one line on Ray as locally: a new run, not ``--resume``, which refuses a changed
    suite."""
    (tmp_path / "s.yaml").write_text(
        "suite: ray-redos\ncases:\n  - {id: slow, prompt: slow}\n"
        "scorers: [{id: m, use: regex, with: {pattern: '(a|aa)+$'}}]\n"
        "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, max: 1}]\n"
    )
    (tmp_path / "rec.jsonl").write_text(json.dumps({"id": "slow", "response": "a" * 60 + "b"}))
    (tmp_path / "t.yaml").write_text("type: replay\npath: rec.jsonl\n")
    with pytest.raises(SuiteFaultError) as caught:
        run_suite(
            tmp_path / "s.yaml",
            tmp_path / "t.yaml",
            reports_dir=tmp_path / "r",
            write_reports=False,
            attach_evidence=False,
            executor="ray",
        )
    first, way_on = caught.value.lines()
    assert "(a|aa)+$" in first and "'slow'" in first, first
    assert "a changed suite cannot resume it" in way_on and "--resume" not in way_on


async def _safe_guard(request: web.Request) -> web.Response:
    return json_response(completion("safe"))


@pytest.mark.slow
def test_ray_records_the_cache_hits_of_all_its_scorer_actors(
    tmp_path: Path, local_ray: str | None
) -> None:
    """A guard's cache hits are counted in the actors that scored, not in the driver: the
    summary read 0 (the description of an instance that scored nothing) on a second run
    answered wholly from the cache. Now the sum over the actors, as the local executor's."""
    n = 40
    (tmp_path / "recording.jsonl").write_text(
        "".join(json.dumps({"id": f"c{i}", "response": f"answer {i}"}) + "\n" for i in range(n))
    )
    (tmp_path / "replay.yaml").write_text("type: replay\npath: recording.jsonl\n")
    with ThreadedServer(_safe_guard) as guard:
        (tmp_path / "suite.yaml").write_text(
            "suite: ray-cache-hits\ncases:\n"
            + "".join(f"  - {{id: c{i}, prompt: 'question {i}'}}\n" for i in range(n))
            + "scorers:\n  - id: g\n    use: guard-model\n"
            f"    with: {{base_url: '{guard.base_url}', model: g, "
            f"cache: {tmp_path / 'guard.sqlite'}}}\n"
            "metrics:\n  - {id: unsafe, rate: g.flagged}\n"
            "gates:\n  - {metric: unsafe, max: 1.0}\n"
        )
        hits = []
        for executor in ("ray", "ray", "local"):
            done = run_suite(
                tmp_path / "suite.yaml",
                tmp_path / "replay.yaml",
                reports_dir=tmp_path / "reports",
                use_cache=False,
                write_reports=False,
                attach_evidence=False,
                executor=executor,
            )
            hits.append(done.summary["scorers"]["g"]["cache_hits"])
    assert hits == [0, n, n]
