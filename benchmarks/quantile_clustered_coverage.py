"""Coverage of a quantile's interval when a case holds several samples.

Values are a case effect plus noise (normal), so a case's samples are correlated; the true
quantile is the marginal distribution's. The 95% interval is computed treating every value as
independent (``stats.intervals.quantile_interval``, how the quantile metric counted before) and
with the case as the unit (``stats.clustered.clustered_quantile_interval``, how it counts now);
the share of intervals holding the true quantile is printed.

    PYTHONPATH=src python benchmarks/quantile_clustered_coverage.py --datasets 4000
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from scipy import stats

from assurance_harness.stats.clustered import clustered_quantile_interval
from assurance_harness.stats.intervals import quantile_interval

SETTINGS = [
    (50, 5, 1.0, 1.0, 0.5),
    (50, 5, 1.0, 1.0, 0.9),
    (30, 10, 1.0, 0.3, 0.9),
    (100, 3, 0.5, 1.0, 0.95),
    (20, 5, 1.0, 0.5, 0.5),
    (200, 1, 1.0, 1.0, 0.9),
]
"""(cases, samples a case, sd of the case effect, sd of the noise, quantile)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    print("| setting | values independent | case as the unit |")
    print("|---|---|---|")
    for k, m, sd_case, sd_noise, q in SETTINGS:
        truth = float(stats.norm.ppf(q, scale=math.hypot(sd_case, sd_noise)))
        clusters = np.repeat(np.arange(k), m)
        independent = clustered = 0
        for _ in range(args.datasets):
            effects = rng.normal(0, sd_case, size=k)[:, None]
            values = (effects + rng.normal(0, sd_noise, size=(k, m))).ravel()
            low, high, _ = quantile_interval(values, q)
            independent += low is not None and high is not None and low <= truth <= high
            low, high, _ = clustered_quantile_interval(values, clusters.tolist(), q, 0.95)
            clustered += low is not None and high is not None and low <= truth <= high
        setting = f"{k} cases x {m}, sd case {sd_case}, sd noise {sd_noise}, q {q}"
        shares = f"{independent / args.datasets:.3f} | {clustered / args.datasets:.3f}"
        print(f"| {setting} | {shares} |")
    elapsed = time.perf_counter() - started
    print(f"\n{args.datasets} data sets a setting, 95% intervals, {elapsed:.1f} s")


if __name__ == "__main__":
    main()
