"""Coverage of the scorer-error-corrected rate's interval when a case holds several samples.

Case prevalences are drawn from a Beta (given mean and intra-case correlation), each sample's
true label from its case, and the scorer flags at a true sensitivity and specificity that are
themselves measured on a validation set of ``positives`` and ``negatives`` examples. The 95%
interval (``stats.correction.rogan_gladen``) is computed with every sample as an independent
outcome (how the rate metric counted before) and at the Korn-Graubard effective sample size
(``stats.intervals.effective_n``, how it counts now); the share of intervals holding the true
prevalence is printed.

    PYTHONPATH=src python benchmarks/corrected_rate_coverage.py --runs 4000
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from assurance_harness.stats.correction import rogan_gladen
from assurance_harness.stats.intervals import effective_n

SETTINGS = [
    (40, 5, 0.1, 0.5, 0.9, 0.95, 200, 200),
    (100, 3, 0.2, 0.3, 0.85, 0.9, 300, 300),
    (40, 1, 0.1, 0.5, 0.9, 0.95, 200, 200),
]
"""(cases, samples a case, prevalence, ICC, sensitivity, specificity, positives, negatives)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    print("| setting | rows independent | effective n |")
    print("|---|---|---|")
    for k, m, prev, icc, se, sp, pos, neg in SETTINGS:
        covered_rows = covered_effective = 0
        a, b = prev * (1 - icc) / icc, (1 - prev) * (1 - icc) / icc
        for run in range(args.runs):
            truth = rng.random((k, m)) < rng.beta(a, b, size=k)[:, None]
            flagged = np.where(truth, rng.random((k, m)) < se, rng.random((k, m)) >= sp)
            case_hits, sizes = flagged.sum(axis=1).astype(float), np.full(k, m, dtype=float)
            hits, n = float(case_hits.sum()), float(sizes.sum())
            measured = {
                "sensitivity": rng.binomial(pos, se) / pos,
                "positives": pos,
                "specificity": rng.binomial(neg, sp) / neg,
                "negatives": neg,
                "seed": run,
            }
            rows = rogan_gladen(hits, n, **measured)  # type: ignore[arg-type]
            n_eff = effective_n(case_hits, sizes, 0.95) if m > 1 else n
            effective = rogan_gladen(hits / n * n_eff, n_eff, **measured)  # type: ignore[arg-type]
            assert rows is not None and effective is not None
            covered_rows += rows.low <= prev <= rows.high
            covered_effective += effective.low <= prev <= effective.high
        setting = f"{k} cases x {m}, prevalence {prev}, ICC {icc}, Se {se}, Sp {sp}"
        shares = f"{covered_rows / args.runs:.3f} | {covered_effective / args.runs:.3f}"
        print(f"| {setting} | {shares} |")
    print(f"\n{args.runs} runs a setting, {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
