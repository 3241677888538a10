"""Coverage of every interval the harness reports, by simulation with its own metric code.

For each cell (a metric kind, a data shape, a sample size, a true value) the script draws
``--datasets`` data sets, computes the metric exactly as a run does (the registered metric
kinds, the same ``MetricContext``), and counts how often the interval contains the true value.
Nominal 0.95; the aim is >= 0.93 in every cell, or the metric's ``method`` says "approximate".

    .venv/bin/python benchmarks/coverage.py                  # quick grid, 200 data sets a cell
    .venv/bin/python benchmarks/coverage.py --full           # full grid, 2,000 data sets a cell
    .venv/bin/python benchmarks/coverage.py --only disparity,paired  # cells naming a word

Prints a Markdown table (cell, true value, coverage, mean width, share labelled approximate).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from assurance_harness.metrics.aggregate import MeanMetric, QuantileMetric, RateMetric
from assurance_harness.metrics.base import MetricContext, MetricKind
from assurance_harness.metrics.disparity import DisparityMetric
from assurance_harness.metrics.paired import PairedDeltaMetric

Rows = list[dict[str, Any]]
Draw = Callable[[np.random.Generator], Rows]


@dataclass
class Cell:
    name: str
    kind: type[MetricKind]
    params: Any
    truth: float
    draw: Draw
    draw_params: Callable[[np.random.Generator], Any] | None = None
    """For cells whose parameters are themselves estimates (a scorer's measured error)."""


def row(i: int, value: object, **meta: object) -> dict[str, Any]:
    return {
        "case_id": f"c{i}",
        "sample": 0,
        "response": "r",
        "error": None,
        "metadata": dict(meta),
        "expected": {},
        "scores": {"s": {"x": value}},
    }


def skewed_unit(mean: float) -> Callable[[np.random.Generator, int], np.ndarray]:
    """Scores in [0, 1] with most mass near 0 and rare high values (a toxicity-like shape):
    Beta(a, b) with a = 0.2, so the mean is ``mean``."""
    a = 0.2
    b = a * (1 - mean) / mean
    return lambda rng, n: rng.beta(a, b, n)


def rate_cells(full: bool) -> Iterator[Cell]:
    for p in (0.02, 0.1, 0.5):
        for n in (50, 200, 1000) if full else (50, 200):

            def draw(rng: np.random.Generator, p: float = p, n: int = n) -> Rows:
                return [row(i, bool(v)) for i, v in enumerate(rng.random(n) < p)]

            yield Cell(f"rate p={p} n={n}", RateMetric, RateMetric.parse_params("s.x"), p, draw)
            yield Cell(
                f"mean of 0/1 p={p} n={n}",
                MeanMetric,
                MeanMetric.parse_params("s.x"),
                p,
                lambda rng, p=p, n=n: [row(i, float(v)) for i, v in enumerate(rng.random(n) < p)],
            )


def mean_cells(full: bool) -> Iterator[Cell]:
    for p in (0.02, 0.1):
        for n in (50, 200, 1000) if full else (50, 200):
            gen = skewed_unit(p)
            yield Cell(
                f"mean of skewed [0,1] scores mean={p} n={n}",
                MeanMetric,
                MeanMetric.parse_params("s.x"),
                p,
                lambda rng, gen=gen, n=n: [row(i, float(v)) for i, v in enumerate(gen(rng, n))],
            )
    truth = math.exp(0.5)  # lognormal(0, 1): skewed, unbounded (a latency-like shape)
    for n in (10, 20, 30, 50, 200) if full else (10, 30, 50):
        yield Cell(
            f"mean of lognormal n={n}",
            MeanMetric,
            MeanMetric.parse_params("s.x"),
            truth,
            lambda rng, n=n: [row(i, float(v)) for i, v in enumerate(rng.lognormal(0, 1, n))],
        )


def quantile_cells(full: bool) -> Iterator[Cell]:
    from scipy.stats import lognorm

    for q in (0.5, 0.9, 0.95):
        for n in (50, 200, 1000) if full else (50, 200):
            params = QuantileMetric.parse_params({"expr": "s.x", "q": q})
            yield Cell(
                f"quantile q={q} lognormal n={n}",
                QuantileMetric,
                params,
                float(lognorm.ppf(q, 1)),
                lambda rng, n=n: [row(i, float(v)) for i, v in enumerate(rng.lognormal(0, 1, n))],
            )


def disparity_cells(full: bool) -> Iterator[Cell]:
    for k in (2, 5, 8) if full else (2, 5):
        for gap in (0.0, 0.15):
            rates = [0.1] * (k - 1) + [0.1 + gap]

            def draw(rng: np.random.Generator, rates: list[float] = rates) -> Rows:
                out = []
                for g, p in enumerate(rates):
                    hits = rng.random(50) < p
                    out += [row(g * 1000 + i, bool(h), group=f"g{g}") for i, h in enumerate(hits)]
                return out

            params = DisparityMetric.parse_params(
                {"value": "s.x", "by": "meta.group", "statistic": "rate"}
            )
            yield Cell(
                f"disparity of rates, {k} groups x 50, gap={gap}",
                DisparityMetric,
                params,
                gap,
                draw,
            )
        for gap in (0.0, 0.2):
            means = [0.0] * (k - 1) + [gap]

            def draw_mean(rng: np.random.Generator, means: list[float] = means) -> Rows:
                out = []
                for g, m in enumerate(means):
                    vals = np.clip(rng.normal(m, 0.4, 50), -1, 1)
                    out += [row(g * 1000 + i, float(v), group=f"g{g}") for i, v in enumerate(vals)]
                return out

            # Clipping to [-1, 1] (a sentiment score's range) is symmetric, so means stay put.
            params = DisparityMetric.parse_params({"value": "s.x", "by": "meta.group"})
            yield Cell(
                f"disparity of means, {k} groups x 50, gap={gap}",
                DisparityMetric,
                params,
                gap,
                draw_mean,
            )


def paired_cells(full: bool) -> Iterator[Cell]:
    for pairs in (12, 30, 100) if full else (12, 30):
        for shift in (0.0, 0.1):

            def draw(rng: np.random.Generator, pairs: int = pairs, shift: float = shift) -> Rows:
                out = []
                for t in range(pairs):
                    base = rng.normal(0, 0.5)
                    a = base + rng.normal(0, 0.2)
                    b = base + shift + rng.normal(0, 0.2)
                    out.append(row(2 * t, float(a), template=f"t{t}", group="a"))
                    out.append(row(2 * t + 1, float(b), template=f"t{t}", group="b"))
                return out

            params = PairedDeltaMetric.parse_params({"value": "s.x", "reference": "a"})
            yield Cell(
                f"paired delta, {pairs} pairs, shift={shift}",
                PairedDeltaMetric,
                params,
                shift,
                draw,
            )


def corrected_rate_cells(full: bool) -> Iterator[Cell]:
    """Rates corrected for scorer error: the scorer's sensitivity and specificity are measured
    afresh on a labelled set (200 positives, 300 negatives) in every simulated data set."""
    sens, spec, positives, negatives = 0.85, 0.95, 200, 300
    for truth in (0.02, 0.1, 0.3):
        for n in (200, 1000) if full else (200,):
            observed = sens * truth + (1 - spec) * (1 - truth)

            def draw(rng: np.random.Generator, n: int = n, p: float = observed) -> Rows:
                return [row(i, bool(v)) for i, v in enumerate(rng.random(n) < p)]

            def params(rng: np.random.Generator) -> Any:
                return RateMetric.parse_params(
                    {
                        "expr": "s.x",
                        "scorer_error": {
                            "sensitivity": rng.binomial(positives, sens) / positives,
                            "positives": positives,
                            "specificity": rng.binomial(negatives, spec) / negatives,
                            "negatives": negatives,
                        },
                    }
                )

            yield Cell(
                f"rate corrected for scorer error (Se {sens}, Sp {spec}) true={truth} n={n}",
                RateMetric,
                None,
                truth,
                draw,
                params,
            )


def cells(full: bool) -> Iterator[Cell]:
    families = (
        rate_cells,
        mean_cells,
        quantile_cells,
        disparity_cells,
        paired_cells,
        corrected_rate_cells,
    )
    for family in families:
        yield from family(full)


def run_cell(cell: Cell, datasets: int, resamples: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    kind = cell.kind()
    covered = widths = approximate = counted = 0
    for d in range(datasets):
        params = cell.draw_params(rng) if cell.draw_params else cell.params
        value = kind.compute(
            cell.draw(rng), params, MetricContext(seed=d, bootstrap_resamples=resamples)
        )
        if value.ci_low is None or value.ci_high is None:
            continue
        counted += 1
        covered += value.ci_low - 1e-12 <= cell.truth <= value.ci_high + 1e-12
        widths += value.ci_high - value.ci_low
        approximate += "approximate" in (value.method or "")
    return {
        "coverage": covered / counted if counted else float("nan"),
        "width": widths / counted if counted else float("nan"),
        "approximate": approximate / counted if counted else float("nan"),
        "counted": counted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full grid, 2,000 data sets")
    parser.add_argument("--datasets", type=int, help="data sets per cell (default 200 / 2000)")
    parser.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument(
        "--only", default="", help="only cells whose name contains one of these (comma-separated)"
    )
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    datasets = args.datasets or (2000 if args.full else 200)
    print(f"datasets per cell: {datasets}; bootstrap resamples: {args.resamples}; nominal 0.95\n")
    print("| cell | true value | coverage ± MC SE | mean width | labelled approximate | verdict |")
    print("|---|---|---|---|---|---|")
    started = time.monotonic()
    failures = 0
    for i, cell in enumerate(cells(args.full)):
        if args.only and not any(word in cell.name for word in args.only.split(",")):
            continue
        result = run_cell(cell, datasets, args.resamples, args.seed + i)
        coverage, counted = result["coverage"], result["counted"]
        error = math.sqrt(max(coverage * (1 - coverage), 0.95 * 0.05) / max(counted, 1))
        if coverage >= 0.93 or result["approximate"] > 0.5:
            verdict = "ok"
        elif coverage + 2 * error >= 0.93:
            verdict = "below 0.93 within Monte Carlo error"
        else:
            verdict = "UNDER 0.93, not labelled"
            failures += 1
        print(
            f"| {cell.name} | {cell.truth:.4g} | {coverage:.3f} ± {error:.3f} | "
            f"{result['width']:.4f} | {result['approximate']:.2f} | {verdict} |",
            flush=True,
        )
    print(
        f"\n{failures} cell(s) below 0.93 without an 'approximate' label; "
        f"{time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
