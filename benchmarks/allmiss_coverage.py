"""Coverage of a run's own clustered rate interval at a low true rate, by how alike a case's
samples are: the rule runs made before 2026-12-08 used beside this version's.

    python benchmarks/allmiss_coverage.py [--datasets 4000] [--seed 20261207]

k cases of m samples each; a case's samples share one outcome with probability ICC (samples at
temperature 0 are identical: ICC 1), else each sample fails independently at p. The interval is
``stats.intervals.clustered_clopper_pearson``, as a rate metric over cases with ``samples:``
gets it. Where every outcome is a miss there is no variance to read the samples' likeness
from: the earlier rule counted them as independent (Korn-Graubard's n* = n, scaled), which at
ICC 1 and p = 0.05 covered in about 0.41 of draws for 10 cases x 10 samples (0.76 for 30 x 3).
This version bounds such a run by its cases (Clopper-Pearson for 0 of k, ``effective_n``),
which holds at any ICC and is wider where samples are independent (the width column: the mean
upper bound of the draws with no hit).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from assurance_harness.stats.intervals import (
    clustered_clopper_pearson,
    effective_n_as_before,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=4000, help="draws per cell")
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(
        "| cases x samples | true rate | ICC | coverage, earlier rule | coverage, this version "
        "| upper bound with no hit, earlier / now | draws with no hit |"
    )
    print("|---|---|---|---|---|---|---|")
    for k, m in ((10, 10), (30, 3), (100, 3)):
        for p in (0.01, 0.05):
            for icc in (0.0, 0.5, 1.0):
                draws = []
                for _ in range(args.datasets):
                    shared = rng.random(k) < icc
                    one = rng.random(k) < p
                    each = rng.random((k, m)) < p
                    draws.append(np.where(shared, one * m, each.sum(1)))
                covers, uppers = [], []
                for before in (True, False):
                    cover, upper = 0, 0.0
                    for hits in draws:
                        if before:
                            with effective_n_as_before():
                                low, high, _ = clustered_clopper_pearson(hits, np.full(k, m))
                        else:
                            low, high, _ = clustered_clopper_pearson(hits, np.full(k, m))
                        cover += low is not None and high is not None and low <= p <= high
                        if hits.sum() == 0 and high is not None:
                            upper = high
                    covers.append(cover / args.datasets)
                    uppers.append(upper)
                none = sum(int(h.sum() == 0) for h in draws) / args.datasets
                print(
                    f"| {k} x {m} | {p} | {icc} | {covers[0]:.3f} | {covers[1]:.3f} | "
                    f"{uppers[0]:.3f} / {uppers[1]:.3f} | {none:.2f} |"
                )


if __name__ == "__main__":
    main()
