"""Scoring throughput, local executor vs Ray, on replayed responses.

Builds N replayed responses (benchmarks/_replay_fixture.py), then scores them through the
runner's scoring boundary twice: ``LocalScoring`` (this process) and ``RayScoring`` (an
actor pool per scorer on a Ray instance: a local one with ``--num-cpus``, or a cluster at
``--ray-address``). Set-up (model loading, once per actor) and scoring are timed apart, the
two executors' outputs are checked equal, and the figures print as one JSON line per
executor: responses per second, and per actor for Ray, which is what the scaling model in
BENCHMARKS.md multiplies out. CPU time (user + system) is reported beside wall time, since
wall time on a shared machine says little: this process's own, and for Ray that of the Ray
processes it started (raylet, workers, actors), read just before the actors are released.

    python benchmarks/ray_scoring.py --n 100000 --scorer age
    python benchmarks/ray_scoring.py --n 20000 --scorer cheap      # Ray's own per-row cost
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _replay_fixture import write_workload

from assurance_harness.runner.executors.base import LocalScoring
from assurance_harness.spec.loader import load_suite


def _rows(folder: Path, cases: list[Any]) -> list[dict[str, Any]]:
    with (folder / "recording.jsonl").open(encoding="utf-8") as handle:
        replies = [json.loads(line)["response"] for line in handle]
    return [
        {"case_id": c.id, "sample": 0, "response": r, "error": None, "scores": {}}
        for c, r in zip(cases, replies, strict=True)
    ]


def _load() -> float:
    return os.getloadavg()[0]


def _own_cpu() -> float:
    """User + system CPU seconds of this process."""
    times = os.times()
    return times.user + times.system


def _started_cpu() -> float:
    """User + system CPU seconds of the live processes this one started (Ray's, when it
    started a local instance): they are not reaped children, so ``os.times`` misses them."""
    import psutil

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # exited between the listing and the read
            continue
        total += times.user + times.system
    return total


def _progress(total: int) -> Any:
    """Print scored/total to stderr at every tenth, so a long run shows it is alive."""
    step = max(1, total // 10)
    mark = [0]

    def report(_scorer: str, done: int, _total: int) -> None:
        if done >= mark[0] + step or done == total:
            mark[0] = done
            print(f"  {done}/{total} at {time.strftime('%H:%M:%S')}", file=sys.stderr, flush=True)

    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--scorer", choices=["age", "cheap"], default="age")
    parser.add_argument("--executors", default="local,ray")
    parser.add_argument("--num-cpus", type=int, default=2, help="a local Ray instance's CPUs")
    parser.add_argument("--ray-address", default=None, help="join this cluster instead")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        suite = load_suite(write_workload(folder, args.n, suite=args.scorer))
        cases = {c.id: c for c in suite.cases}
        context = suite.context()
        results: dict[str, list[dict[str, Any]]] = {}
        for name in args.executors.split(","):
            rows = _rows(folder, suite.cases)
            load_before = _load()
            t0 = time.perf_counter()
            cpu0 = _own_cpu()
            extra: dict[str, Any] = {}
            if name == "local":
                import torch

                session: Any = LocalScoring(suite.scorers, context, progress=_progress(args.n))
                extra = {"torch_threads": torch.get_num_threads()}
            else:
                import ray

                from assurance_harness.runner.executors.ray_connect import loopback_only
                from assurance_harness.runner.executors.ray_executor import RayScoring

                if args.ray_address:
                    ray.init(address=args.ray_address, log_to_driver=False)
                else:
                    with loopback_only(ray):
                        ray.init(
                            num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=False
                        )
                resources = dict(ray.cluster_resources())
                session = RayScoring(
                    ray, suite.scorers, context, resources, progress=_progress(args.n)
                )
                # Actors load their models when created: wait for every one to be ready.
                ray.get([a.__ray_ready__.remote() for p in session.pools.values() for a in p])
                extra = {
                    "cluster_cpus": resources.get("CPU"),
                    "actors_per_scorer": {k: len(v) for k, v in session.pools.items()},
                }
            setup_s = time.perf_counter() - t0
            cpu1, started1 = _own_cpu(), _started_cpu()
            t1 = time.perf_counter()
            session.score(rows, cases)
            score_s = time.perf_counter() - t1
            cpu2, started2 = _own_cpu(), _started_cpu()
            session.close()
            if name == "ray":
                ray.shutdown()
            results[name] = [r["scores"] for r in rows]
            actors = max(extra.get("actors_per_scorer", {"-": 1}).values())
            print(
                json.dumps(
                    {
                        "executor": name,
                        "scorer": args.scorer,
                        "n": args.n,
                        "setup_s": round(setup_s, 2),
                        "score_s": round(score_s, 2),
                        "responses_per_s": round(args.n / score_s, 1),
                        "per_actor_per_s": round(args.n / score_s / actors, 1),
                        "setup_cpu_s": round(cpu1 - cpu0 + started1, 1),
                        "score_cpu_s": round(cpu2 - cpu1, 1),
                        "score_cpu_ray_s": round(started2 - started1, 1),
                        "responses_per_cpu_s": round(
                            args.n / max(1e-9, cpu2 - cpu1 + started2 - started1), 1
                        ),
                        "load_avg_before": round(load_before, 2),
                        "load_avg_after": round(_load(), 2),
                        **extra,
                    }
                ),
                flush=True,
            )
        if len(results) == 2:
            a, b = results.values()
            print(json.dumps({"identical_scores": a == b}))


if __name__ == "__main__":
    main()
