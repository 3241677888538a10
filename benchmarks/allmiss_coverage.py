"""Coverage of a run's own clustered rate interval at a low true rate, by how alike a case's
samples are: a known shortfall, measured (not fixed yet).

    python benchmarks/allmiss_coverage.py [--datasets 4000] [--seed 20261207]

k cases of m samples each; a case's samples share one outcome with probability ICC (samples at
temperature 0 are identical: ICC 1), else each sample fails independently at p. The interval is
``stats.intervals.clustered_clopper_pearson``, as a rate metric over cases with ``samples:``
gets it. Where every outcome is a miss it has no variance to read the samples' likeness from
and counts them as independent (Korn-Graubard's n* = n): at ICC 1 and p = 0.05 that covers in
about 0.41 of draws for 10 cases x 10 samples (0.76 for 30 x 3). Bounding such a run by its
cases alone (Clopper-Pearson for 0 of k, as ``compare`` now does between two runs) holds at any
ICC, and is wider where samples are independent; it changes recorded intervals and verdicts,
so old summaries need a legacy path in ``register.summary_check`` first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from assurance_harness.stats.intervals import clustered_clopper_pearson


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=4000, help="draws per cell")
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print("| cases x samples | true rate | ICC | coverage (95% nominal) | draws with no hit |")
    print("|---|---|---|---|---|")
    for k, m in ((10, 10), (30, 3), (100, 3)):
        for p in (0.01, 0.05):
            for icc in (0.0, 0.5, 1.0):
                cover = none = 0
                for _ in range(args.datasets):
                    shared = rng.random(k) < icc
                    one = rng.random(k) < p
                    each = rng.random((k, m)) < p
                    hits = np.where(shared, one * m, each.sum(1))
                    low, high, _ = clustered_clopper_pearson(hits, np.full(k, m))
                    none += int(hits.sum() == 0)
                    cover += low is not None and high is not None and low <= p <= high
                print(
                    f"| {k} x {m} | {p} | {icc} | {cover / args.datasets:.3f} | "
                    f"{none / args.datasets:.2f} |"
                )


if __name__ == "__main__":
    main()
