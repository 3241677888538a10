"""Coverage of the clustered Clopper-Pearson interval (``stats.intervals``), fast and direct.

The flip-rate and attack-success cells of ``benchmarks/coverage.py`` go through the metric
code (pairing, expressions) and cost about 0.3 s a data set; this draws the per-cluster counts
directly, so 1,000 data sets a cell take seconds. Each of ``k`` clusters (source prompts) has
its own rate, Beta-distributed with mean ``p`` and intra-cluster correlation ``icc`` (0:
independent outcomes), and ``m`` outcomes (variants). The naive column is plain
Clopper-Pearson over all k x m outcomes, as the intervals were before. "Coverage where not
labelled" is over the data sets whose method does not say "approximate" (before 2026-12-08) or
"at most one outcome a case" (since: few clusters hold the rarer outcome, so n* is capped at k,
``stats.intervals.outcomes_effective_n``): the claim the tool makes is that those cover, and,
since the cap, the labelled ones too.

    .venv/bin/python benchmarks/coverage_clustered.py --datasets 1000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from assurance_harness.stats.intervals import (
    clopper_pearson,
    clustered_clopper_pearson,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    d = args.datasets
    print(f"data sets per cell: {d}; nominal 0.95\n")
    print(
        "| p | icc | clusters x outcomes | clustered coverage | width | labelled (approximate, "
        "or at most one outcome a cluster) | coverage where not labelled | naive coverage |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for p in (0.02, 0.1, 0.3):
        for icc in (0.0, 0.2, 0.5):
            for k, m in ((30, 8), (100, 8), (100, 2), (300, 8)):
                covered = naive = approximate = plain_covered = 0
                width = 0.0
                for _ in range(d):
                    if icc == 0:
                        rates = np.full(k, p)
                    else:
                        total = 1 / icc - 1
                        rates = rng.beta(p * total, (1 - p) * total, k)
                    hits = rng.binomial(m, rates)
                    low, high, method = clustered_clopper_pearson(hits, np.full(k, m))
                    assert low is not None and high is not None
                    covered += low <= p <= high
                    width += high - low
                    labelled = "approximate" in method or "at most one outcome" in method
                    approximate += labelled
                    plain_covered += not labelled and low <= p <= high
                    low, high = clopper_pearson(int(hits.sum()), k * m)
                    assert low is not None and high is not None
                    naive += low <= p <= high
                error = (0.95 * 0.05 / d) ** 0.5
                plain = d - approximate
                # What a user who is not told "approximate" gets.
                where_plain = (
                    f"{plain_covered / plain:.3f} ± {(0.95 * 0.05 / plain) ** 0.5:.3f} ({plain})"
                    if plain
                    else "–"
                )
                print(
                    f"| {p} | {icc} | {k} x {m} | {covered / d:.3f} ± {error:.3f} | "
                    f"{width / d:.3f} | {approximate / d:.2f} | {where_plain} | {naive / d:.3f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
