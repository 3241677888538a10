"""Where a run's time goes: the ``assurance`` CLI with a timer around the runner's phases.

    PYTHONPATH=src python benchmarks/run_phases.py run SUITE --target TARGET --no-report ...

Runs the command as ``assurance`` would (the same process, the same exit status) and prints to
standard error, as each phase ends, how long it took and when it ended since the start:

- ``send``: sending the requests and writing the journal (``runner.run._send_pending``);
- ``score+metrics``: scoring every response, writing results.jsonl, computing the metrics
  and judging the gates (``runner.run._score``); ``metrics`` is the metrics' part of it;
- ``finish``: the above and the summary, manifest and index written (``runner.run._finish``).

Reading and checking the dataset is the time before ``send`` begins. The workloads of
``benchmarks/scale.py`` are what BENCHMARKS.md measures with it.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from assurance_harness import cli
from assurance_harness.metrics import columns
from assurance_harness.runner import run

STARTED = time.perf_counter()


def timed(owner: Any, name: str, label: str) -> None:
    """Replace ``owner.name`` with a version that prints its duration under ``label``."""
    inner: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            now = time.perf_counter()
            print(
                f"PHASE {label}: {now - began:.2f} s (ends at {now - STARTED:.2f} s)",
                file=sys.stderr,
                flush=True,
            )

    setattr(owner, name, wrapper)


def main() -> None:
    timed(run, "_send_pending", "send")
    timed(run, "_score", "score+metrics")
    timed(columns.MetricColumns, "compute", "metrics")
    timed(run, "_finish", "finish")
    sys.argv = ["assurance", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
