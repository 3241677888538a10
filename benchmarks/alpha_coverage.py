"""Coverage of the reviewer agreement interval where reviewers are not one fixed pair:
Krippendorff's alpha (nominal) with its BCa bootstrap over rows (``stats.alpha``), as
``assurance review agreement`` computes it.

Each simulated row has a latent "yes" probability theta ~ Beta with mean ``rate`` and
intraclass correlation ``rho`` (a = rate (1 - rho) / rho, b = (1 - rate) (1 - rho) / rho);
its m reviewers (2 to 4, or 3) each say "yes" with probability theta, independently. The
value alpha estimates is then rho (its expected disagreement is 2 rate (1 - rate), its
observed one 2 E[theta (1 - theta)] = 2 (rate (1 - rate) - Var theta)). Per cell it counts how
often the 95% interval holds rho: over every data set with an interval, over those
``alpha_no_interval`` lets through (what a user is shown), over those of them not labelled
approximate (``alpha_caveat``), and over those labelled so. Aim: >= 0.93 where one is shown
unlabelled. A second table pools every cell's data sets by how often the rarer label was
given: the quantity the rule reads; a third pools those shown by how they are shown
(``caveat_kind``: plain, approximate for a rare share, approximate for a rarer label given few
times): the figures the caveats quote.

    .venv/bin/python benchmarks/alpha_coverage.py                 # 1,000 data sets a cell
    .venv/bin/python benchmarks/alpha_coverage.py --datasets 200  # quicker
    .venv/bin/python benchmarks/alpha_coverage.py --rows 50 100 --rates 0.15 0.2  # a part

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from assurance_harness.stats.alpha import (
    alpha_bca,
    alpha_no_interval,
    caveat_kind,
    krippendorff_alpha,
)

RESAMPLES = 2000


def draw(
    rng: np.random.Generator, n: int, rate: float, rho: float, raters: str
) -> list[tuple[int, int]]:
    """n rows as (labels, "yes" labels)."""
    a, b = rate * (1 - rho) / rho, (1 - rate) * (1 - rho) / rho
    theta = rng.beta(a, b, n)
    m = np.full(n, 3) if raters == "3" else rng.integers(2, 5, n)
    yes = rng.binomial(m, theta)
    return list(zip(m.tolist(), yes.tolist(), strict=True))


RATES = (0.1, 0.15, 0.2, 0.3, 0.5)
"""The true "yes" rates: 15% and 20% between 10% and 30%, where a rate's data sets cross the
``RARE_SHARE`` line by chance and were shown unlabelled (a 15% rate at 50 rows covered
0.83-0.91 there, outside the grid of 10%, 30% and 50%)."""

BUCKETS = (0, 10, 20, 30, 50, 80)
"""Lower edges of the rarer-label buckets of the second table."""


def cell(
    rng: np.random.Generator,
    datasets: int,
    n: int,
    rate: float,
    rho: float,
    raters: str,
    by_rarer: dict[tuple[int, float], list[int]],
    by_label: dict[tuple[str, float], list[int]],
) -> str:
    held = given = shown = held_shown = undefined = plain = held_plain = 0
    rough = held_rough = 0
    widths: list[float] = []
    for d in range(datasets):
        rows = draw(rng, n, rate, rho, raters)
        if krippendorff_alpha(rows) is None:
            undefined += 1
            continue
        low, high = alpha_bca(rows, seed=d, resamples=RESAMPLES)
        if low is None or high is None:
            continue
        given += 1
        inside = low <= rho <= high
        yes = sum(y for _, y in rows)
        rarer = min(yes, sum(m for m, _ in rows) - yes)
        bucket = max(edge for edge in BUCKETS if edge <= rarer)
        tally = by_rarer.setdefault((bucket, rho), [0, 0])
        tally[0] += 1
        tally[1] += inside
        held += inside
        widths.append(high - low)
        if alpha_no_interval(rows) is None:
            shown += 1
            held_shown += inside
            kind = caveat_kind(rows)
            shown_as = by_label.setdefault(
                (f"approximate ({kind})" if kind else "plain", rho), [0, 0]
            )
            shown_as[0] += 1
            shown_as[1] += inside
            if kind is None:
                plain += 1
                held_plain += inside
            else:
                rough += 1
                held_rough += inside
    every = f"{held / given:.3f}" if given else "-"
    when_shown = f"{held_shown / shown:.3f}" if shown else "-"
    unlabelled = f"{held_plain / plain:.3f} (of {plain})" if plain else "-"
    approximate = f"{held_rough / rough:.3f} (of {rough})" if rough else "-"
    width = f"{np.mean(widths):.3f}" if widths else "-"
    return (
        f"| {n} | {raters} | {rate} | {rho} | {every} | {width} | {shown / datasets:.2f} "
        f"| {when_shown} | {unlabelled} | {approximate} | {undefined} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument(
        "--rates",
        type=float,
        nargs="+",
        default=list(RATES),
        help='"yes" rates (a part of the grid)',
    )
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[20, 50, 100, 200], help="rows (a part of the grid)"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    by_rarer: dict[tuple[int, float], list[int]] = {}
    by_label: dict[tuple[str, float], list[int]] = {}
    print(
        "| rows | labels a row | yes rate | alpha | coverage (all) | mean width "
        "| share shown | coverage (shown) | coverage (shown, not approximate) "
        "| coverage (shown, approximate) | undefined |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.rows:
        for raters in ("2-4", "3"):
            for rate in args.rates:
                for rho in (0.2, 0.4, 0.8):
                    print(
                        cell(rng, args.datasets, n, rate, rho, raters, by_rarer, by_label),
                        flush=True,
                    )
    print("\n| rarer label given | alpha | data sets | coverage |\n|---|---|---|---|")
    for (bucket, rho), (count, held) in sorted(by_rarer.items()):
        upper = [edge - 1 for edge in BUCKETS if edge > bucket][:1]
        given = f"{bucket}-{upper[0]}" if upper else f">= {bucket}"
        print(f"| {given} | {rho} | {count} | {held / count:.3f} |")
    print("\n| shown as | alpha | data sets | coverage |\n|---|---|---|---|")
    for (label, rho), (count, held) in sorted(by_label.items()):
        print(f"| {label} | {rho} | {count} | {held / count:.3f} |")
    print(
        f"\n{args.datasets} data sets a cell, {RESAMPLES} resamples, seed {args.seed}, rows "
        f"{' '.join(map(str, args.rows))}, rates {' '.join(map(str, args.rates))}, "
        f"{time.perf_counter() - start:.0f} s"
    )


if __name__ == "__main__":
    main()
