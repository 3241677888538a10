"""Peak memory and wall time of a whole run as it grows: a replay run (recorded transcripts)
with cheap scorers (length, regex, contains) and rate, mean (bootstrap) and quantile metrics,
at each of the sizes given.

Each run is the real command line (``assurance run SUITE --target replay.yaml --no-report
--no-evidence --no-cache``) in a child process; its peak RSS is the child's own ``ru_maxrss``
(``os.wait4``), so the figure is the run's, imports included; CPU is its user + system time
(fairer than wall time on a shared machine). The growth between sizes is
what streaming is about: bytes per extra case.

    python benchmarks/streaming_memory.py --sizes 10000,100000
    python benchmarks/streaming_memory.py --sizes 1000000 --keep /tmp/w1m   # once, at the end
    python benchmarks/streaming_memory.py --workload gaps --sizes 100000,300000

``--workload gaps``: the same responses, each case in one of three groups, and gated
disparities (a refusal rate between groups, a mean length between groups within each topic):
what a bias gate on production traffic computes. ``--workload review``: the cheap suite under a
review policy (1% QC sample, the worst cases of a failing gate that requires review).
``--workload robust``: every fourth case an original and three perturbed variants of it,
flip-rate and attack-success metrics under gates.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _process import HARNESS_CLI, measure_process
from _replay_fixture import write_workload


def run_once(folder: Path) -> dict[str, float | int]:
    """One run in a child process: its wall time, CPU time, peak RSS and exit code."""
    command = [
        *HARNESS_CLI,
        *("run", "suite.yaml", "--target", "replay.yaml", "--reports", "reports"),
        *("--no-report", "--no-evidence", "--no-cache"),
    ]
    try:
        measured = measure_process(command, folder)
    except RuntimeError as exc:
        raise SystemExit(f"run failed: {exc}") from None
    return {
        "wall_s": round(measured["wall_s"], 1),
        "cpu_s": round(measured["cpu_s"], 1),
        "peak_rss_mb": round(measured["rss_mb"], 1),
        "exit": int(measured["exit"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--keep", type=Path, default=None, help="write the workloads here")
    parser.add_argument(
        "--workload", choices=["cheap", "gaps", "review", "robust"], default="cheap"
    )
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="streaming-"))
    previous: tuple[int, float] | None = None
    for size in (int(s) for s in args.sizes.split(",")):
        folder = base / (f"n{size}" if args.workload == "cheap" else f"{args.workload}-n{size}")
        if not (folder / "suite.yaml").exists():
            write_workload(folder, size, suite=args.workload)
        figures = run_once(folder)
        record = {"cases": size, **figures, "load_avg_1m": round(os.getloadavg()[0], 2)}
        if previous is not None:
            n0, rss0 = previous
            record["bytes_per_extra_case"] = round(
                (figures["peak_rss_mb"] - rss0) * 1024 * 1024 / (size - n0)
            )
        previous = (size, float(figures["peak_rss_mb"]))
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
