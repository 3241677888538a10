"""Coverage and false alarms of resampling by counts (``stats.levelcounts``), beside index draws.

Many values of few distinct ones (ratings, word counts, 0/1 outcomes of many cases) are
bootstrapped and permuted by drawing how many times each value is taken. This measures, on
simulated data with a known truth, what a user relies on:

- the 95% bootstrap interval of a mean covers the true mean (``bootstrap_ci``), counts against
  indices, on the same data sets;
- the permutation test of "no gap" between groups drawn from one distribution gives p <= 0.05
  at most 5% of the time (``permutation_p_value``), counts against shuffling every case.

    .venv/bin/python benchmarks/level_counts_coverage.py [--datasets 1000] [--seed 20261205]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from assurance_harness.stats import disparity, levelcounts
from assurance_harness.stats.disparity import GroupSample, permutation_p_value
from assurance_harness.stats.intervals import bootstrap_ci, wilson

RATING_WEIGHTS = np.array([0.05, 0.1, 0.2, 0.4, 0.25])
RATING_MEAN = float(RATING_WEIGHTS @ np.arange(1, 6))


def ratings(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(np.arange(1.0, 6.0), size=n, p=RATING_WEIGHTS)


def word_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.poisson(12.0, size=n).astype(float)  # true mean 12


DISTRIBUTIONS: dict[str, tuple[Callable[[np.random.Generator, int], np.ndarray], float]] = {
    "1-5 rating": (ratings, RATING_MEAN),
    "word count (Poisson 12)": (word_counts, 12.0),
}


def share(hits: int, total: int) -> str:
    low, high = wilson(hits, total)
    assert low is not None and high is not None
    return f"{hits / total:.3f} [{low:.3f}, {high:.3f}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261205)
    args = parser.parse_args()
    real = levelcounts.few_levels
    print("| check | data | n | by counts | by indices / shuffles |")
    print("|---|---|---|---|---|")
    for name, (draw, truth) in DISTRIBUTIONS.items():
        for n in (1000, 5000):
            covered = {True: 0, False: 0}
            seconds = {True: 0.0, False: 0.0}
            rng = np.random.default_rng(args.seed + n)
            for i in range(args.datasets):
                values = draw(rng, n)
                for on in (True, False):
                    levelcounts.few_levels = real if on else (lambda v, groups=1: None)
                    started = time.perf_counter()
                    low, high = bootstrap_ci(values, np.mean, seed=i)
                    seconds[on] += time.perf_counter() - started
                    assert low is not None and high is not None
                    covered[on] += low <= truth <= high
            levelcounts.few_levels = real
            print(
                f"| 95% bootstrap of a mean covers | {name} | {n:,} | "
                f"{share(covered[True], args.datasets)} ({seconds[True]:.1f} s) | "
                f"{share(covered[False], args.datasets)} ({seconds[False]:.1f} s) |",
                flush=True,
            )
    for name, (draw, _) in DISTRIBUTIONS.items():
        fired = {True: 0, False: 0}
        rng = np.random.default_rng(args.seed)
        for i in range(args.datasets):
            values = draw(rng, 3000)
            groups = [GroupSample(values[:600]), GroupSample(values[600:1500])]
            groups.append(GroupSample(values[1500:]))
            for on in (True, False):
                disparity.few_levels = real if on else (lambda v, groups=1: None)
                p = permutation_p_value(groups, seed=i, permutations=400)
                assert p is not None
                fired[on] += p <= 0.05
        disparity.few_levels = real
        print(
            f"| no gap, p <= 0.05 | {name}, groups of 600/900/1,500 | 3,000 | "
            f"{share(fired[True], args.datasets)} | {share(fired[False], args.datasets)} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
