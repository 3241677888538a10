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

    PYTHONPATH=src python benchmarks/run_phases.py --timeline run SUITE ...

prints a timeline instead, for a short run's fixed costs: when the CLI's modules were imported,
when each phase began and ended, and when the interpreter began to exit, all from this script's
start. It leaves out the ``metrics`` timer, whose import of the metrics modules (numpy among
them) would move their cost from the end of the run to its start.
"""

from __future__ import annotations

import atexit
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

STARTED = time.perf_counter()
TIMELINE = sys.argv[1:2] == ["--timeline"]

from assurance_harness import fielddocs  # noqa: E402  (timed from STARTED)

fielddocs.defer()  # as ``cli.main`` does before any command but 'schema'
from assurance_harness import cli  # noqa: E402
from assurance_harness.runner import run  # noqa: E402

IMPORTED = time.perf_counter()


def timed(owner: Any, name: str, label: str) -> None:
    """Replace ``owner.name`` with a version that prints its duration under ``label``."""
    inner: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        if TIMELINE:
            print(f"BEGIN {label} at {began - STARTED:.3f} s", file=sys.stderr, flush=True)
        try:
            return inner(*args, **kwargs)
        finally:
            now = time.perf_counter()
            digits = 3 if TIMELINE else 2
            print(
                f"PHASE {label}: {now - began:.{digits}f} s (ends at {now - STARTED:.{digits}f} s)",
                file=sys.stderr,
                flush=True,
            )

    setattr(owner, name, wrapper)


def _exiting() -> None:
    print(f"EXIT begins at {time.perf_counter() - STARTED:.3f} s", file=sys.stderr, flush=True)


def main() -> None:
    timed(run, "_send_pending", "send")
    timed(run, "_score", "score+metrics")
    if TIMELINE:
        print(f"IMPORTED the CLI at {IMPORTED - STARTED:.3f} s", file=sys.stderr, flush=True)
        atexit.register(_exiting)
    else:
        from assurance_harness.metrics import columns

        timed(columns.MetricColumns, "compute", "metrics")
    timed(run, "_finish", "finish")
    sys.argv = ["assurance", *sys.argv[2 if TIMELINE else 1 :]]
    cli.main()


if __name__ == "__main__":
    main()
