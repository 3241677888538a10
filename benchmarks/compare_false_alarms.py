"""False alarms of `assurance compare`'s unpaired tests when a case holds several samples.

Two runs of different cases are drawn from the same clustered distribution (so the null is
true): rates from case probabilities with a Beta distribution of a given mean and intra-case
correlation, means from a case effect plus noise. Each pair is tested twice: every sample as an
independent outcome (how compare tested before, ``two_proportion`` / ``welch`` on the rows) and
with the case as the unit (``clustered_two_proportion`` / ``clustered_welch``). At alpha 0.05 a
test that holds its level raises about 5% false alarms.

    PYTHONPATH=src python benchmarks/compare_false_alarms.py --pairs 10000
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from assurance_harness.stats.twosample import (
    clustered_two_proportion,
    clustered_welch,
    two_proportion,
    welch,
)

RATE_SETTINGS = [(50, 5, 0.1, 0.3), (50, 5, 0.3, 0.5), (200, 3, 0.05, 0.2), (30, 10, 0.2, 0.8)]
"""(cases, samples a case, mean rate, intra-case correlation)."""
MEAN_SETTINGS = [(50, 5, 1.0, 1.0), (30, 10, 1.0, 0.5), (100, 2, 0.5, 1.0)]
"""(cases, samples a case, sd of the case effect, sd of the noise)."""


def _rates(
    rng: np.random.Generator, k: int, m: int, mean: float, icc: float
) -> tuple[np.ndarray, np.ndarray]:
    a, b = mean * (1 - icc) / icc, (1 - mean) * (1 - icc) / icc
    hits = rng.binomial(m, rng.beta(a, b, size=k))
    return hits.astype(float), np.full(k, m, dtype=float)


def _means(
    rng: np.random.Generator, k: int, m: int, sd_case: float, sd_noise: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    values = rng.normal(0, sd_case, size=k)[:, None] + rng.normal(0, sd_noise, size=(k, m))
    return values.sum(axis=1), np.full(k, m, dtype=float), values.ravel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    print("| metric | setting | rows independent | case as the unit |")
    print("|---|---|---|---|")
    for k, m, mean, icc in RATE_SETTINGS:
        old = new = 0
        for _ in range(args.pairs):
            sa, na = _rates(rng, k, m, mean, icc)
            sb, nb = _rates(rng, k, m, mean, icc)
            if sa.sum() + sb.sum() == 0:
                continue
            rows = int(sa.sum()), int(na.sum()), int(sb.sum()), int(nb.sum())
            old += two_proportion(*rows).p_value < 0.05
            new += clustered_two_proportion(sa, na, sb, nb).p_value < 0.05
        setting = f"{k} cases x {m}, rate {mean}, ICC {icc}"
        print(f"| rate | {setting} | {old / args.pairs:.3f} | {new / args.pairs:.3f} |")
    for k, m, sd_case, sd_noise in MEAN_SETTINGS:
        old = new = 0
        for _ in range(args.pairs):
            sa, na, va = _means(rng, k, m, sd_case, sd_noise)
            sb, nb, vb = _means(rng, k, m, sd_case, sd_noise)
            old += welch(va, vb).p_value < 0.05
            new += clustered_welch(sa, na, sb, nb).p_value < 0.05
        setting = f"{k} cases x {m}, sd case {sd_case}, sd noise {sd_noise}"
        print(f"| mean | {setting} | {old / args.pairs:.3f} | {new / args.pairs:.3f} |")
    print(f"\n{args.pairs} pairs a setting, alpha 0.05, {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
