"""What the response cache's writes cost a run, by batch size: why it commits 4,096 at a time.

    PYTHONPATH=src python benchmarks/cache_writes.py [--puts 100000] [--batches 256,1024,4096]

Each batch size gets a new cache file in a temporary folder (on the same file system as the
system's temporary files: set ``TMPDIR`` to measure another) and ``--puts`` answers of a few
dozen words under keys made as a run makes them (``key_for``: random-looking SHA-256 digests,
so each commit touches index pages all over the file). Printed: the seconds from the first
``put`` to ``close`` (the last commit included), for each size.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.store.cache import ResponseCache, key_for


def keys(count: int) -> list[str]:
    """Keys as a run of ``count`` one-turn cases makes them."""
    return [
        key_for(
            "benchmark-target",
            GenerationRequest(
                case_id=f"c{i}",
                sample=0,
                seed=i,
                messages=[{"role": "user", "content": f"Question {i}: what is {i % 97} plus 1?"}],
                params={},
            ),
        )
        for i in range(count)
    ]


def time_puts(folder: Path, batch: int, all_keys: list[str]) -> float:
    answer = GenerationResponse(
        text="The answer is 5. " + "word " * 30, model_version="m-1", usage={"total_tokens": 40}
    )
    cache = ResponseCache(folder / f"cache-{batch}.db", flush_every=batch, flush_interval_s=3600)
    began = time.perf_counter()
    for key in all_keys:
        cache.put(key, answer)
    cache.close()
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--puts", type=int, default=100_000)
    parser.add_argument("--batches", default="256,1024,4096")
    args = parser.parse_args()
    all_keys = keys(args.puts)
    with tempfile.TemporaryDirectory() as tmp:
        for batch in (int(size) for size in args.batches.split(",")):
            seconds = time_puts(Path(tmp), batch, all_keys)
            print(f"batches of {batch:>6,}: {args.puts:,} puts in {seconds:.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
