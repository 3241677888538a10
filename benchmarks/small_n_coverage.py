"""Coverage of every metric kind's 95% interval at tiny samples: n = 1, 2, 3, 5 and 10 cases,
and the same sizes with several samples a case (``samples: 4``: effective n = the cases).

Each cell draws ``--datasets`` data sets from a realistic shape (lognormal response lengths, a
skewed latency, a bimodal rating, scores in [0, 1]), computes the figure with the harness's own
metric kinds (the registered classes, the run's ``MetricContext``) and counts:

- ``interval``: the share of data sets given a two-sided interval (the rest say why not);
- ``coverage``: among those, the share whose interval holds the true value (nominal 0.95);
- ``upper covers``: among data sets with an upper bound, the share at or above the true value
  (what a ``max:`` gate on ``bound: upper`` relies on; nominal 0.975 for a two-sided 95%);
- ``approximate``: the share of intervals whose method says "approximate".

A cell is ``ok`` when its coverage is at least 0.93 (within twice its Monte Carlo error), or it
gives no interval at all; ``below 0.93, labelled approximate`` when most of its intervals say
so (as benchmarks/coverage.py reads a cell); ``UNDER`` otherwise. Seeded; about a minute.

    PYTHONPATH=src python benchmarks/small_n_coverage.py              # 500 data sets a cell
    PYTHONPATH=src python benchmarks/small_n_coverage.py --only mean  # cells naming a word
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

from coverage import pair_row  # benchmarks/coverage.py: the same robustness rows

from assurance_harness.metrics.aggregate import MeanMetric, QuantileMetric, RateMetric
from assurance_harness.metrics.base import MetricContext, MetricKind
from assurance_harness.metrics.bbq_bias import BbqMetric
from assurance_harness.metrics.disparity import DisparityMetric
from assurance_harness.metrics.paired import PairedDeltaMetric
from assurance_harness.metrics.robustness import FlipRateMetric

Rows = list[dict[str, Any]]
Values = Callable[[np.random.Generator, int], np.ndarray]
SIZES = (1, 2, 3, 5, 10)
MEAN_SIZES = (1, 2, 3, 5, 8, 10)
"""A mean's interval (and a BBQ bias score's) starts at 8 cases
(``stats.intervals.MIN_MEAN_CASES``)."""
SAMPLES = 4
"""Samples a case in the clustered cells."""


@dataclass(frozen=True)
class Shape:
    """A distribution of one value: how to draw it, its true mean and its quantile function."""

    name: str
    draw: Values
    mean: float
    quantile: Callable[[float], float]


def _shapes() -> list[Shape]:
    from scipy import stats

    lengths = stats.lognorm(0.8, scale=math.exp(5))  # response length in characters
    latency = stats.gamma(2, loc=100, scale=400)  # milliseconds: skewness 1.4
    weights, centres, sd = (0.7, 0.3), (2.0, 8.0), 0.4  # a 1-10 rating: two modes, none < 1

    def bimodal(rng: np.random.Generator, n: int) -> np.ndarray:
        high = rng.random(n) < weights[1]
        return np.where(high, rng.normal(centres[1], sd, n), rng.normal(centres[0], sd, n))

    def bimodal_quantile(q: float) -> float:
        from scipy.optimize import brentq

        cdf = lambda x: sum(  # noqa: E731
            w * stats.norm.cdf(x, c, sd) for w, c in zip(weights, centres, strict=True)
        )
        return float(brentq(lambda x: cdf(x) - q, -5, 15))

    unit = stats.beta(0.3, 0.3)  # a score in [0, 1] piled at both ends
    return [
        Shape(
            "lognormal length",
            lambda rng, n: lengths.rvs(n, random_state=rng),
            float(lengths.mean()),
            lambda q: float(lengths.ppf(q)),
        ),
        Shape(
            "gamma latency",
            lambda rng, n: latency.rvs(n, random_state=rng),
            float(latency.mean()),
            lambda q: float(latency.ppf(q)),
        ),
        Shape("bimodal rating", bimodal, float(np.dot(weights, centres)), bimodal_quantile),
        Shape(
            "bimodal [0,1] score",
            lambda rng, n: unit.rvs(n, random_state=rng),
            0.5,
            lambda q: float(unit.ppf(q)),
        ),
    ]


@dataclass
class Cell:
    name: str
    kind: type[MetricKind]
    params: Any
    truth: float
    draw: Callable[[np.random.Generator], Rows]
    share: float = 1.0
    """Of ``--datasets``, the share this cell draws (a disparity's fairlearn frame, bootstrap
    and permutation test cost about 40 ms a data set)."""


def row(case: int, value: object, sample: int = 0, **meta: object) -> dict[str, Any]:
    return {
        "case_id": f"c{case}",
        "sample": sample,
        "response": "r",
        "error": None,
        "metadata": dict(meta),
        "expected": {},
        "scores": {"s": {"x": value}},
    }


def clustered(shape: Shape, rng: np.random.Generator, cases: int) -> np.ndarray:
    """``cases`` x ``SAMPLES`` values whose samples of one case agree: a case draws its own
    value and each sample is that value or, half the time, a fresh draw (icc 0.5), so every
    value still has the shape's distribution."""
    own = shape.draw(rng, cases)[:, None]
    fresh = shape.draw(rng, cases * SAMPLES).reshape(cases, SAMPLES)
    return np.where(rng.random((cases, SAMPLES)) < 0.5, own, fresh)


def cells() -> Iterator[Cell]:
    shapes = _shapes()
    mean = MeanMetric.parse_params("s.x")
    for shape in shapes:
        for n in MEAN_SIZES:
            yield Cell(
                f"mean, {shape.name}, n={n}",
                MeanMetric,
                mean,
                shape.mean,
                lambda rng, s=shape, n=n: [row(i, float(v)) for i, v in enumerate(s.draw(rng, n))],
            )
        for n in MEAN_SIZES:
            yield Cell(
                f"mean, {shape.name}, {n} cases x {SAMPLES} samples",
                MeanMetric,
                mean,
                shape.mean,
                lambda rng, s=shape, n=n: [
                    row(c, float(v), k)
                    for c, values in enumerate(clustered(s, rng, n))
                    for k, v in enumerate(values)
                ],
            )
    for q in (0.5, 0.9):
        params = QuantileMetric.parse_params({"expr": "s.x", "q": q})
        for shape in shapes[:1] + shapes[2:3]:
            for n in SIZES:
                yield Cell(
                    f"quantile q={q}, {shape.name}, n={n}",
                    QuantileMetric,
                    params,
                    shape.quantile(q),
                    lambda rng, s=shape, n=n: [
                        row(i, float(v)) for i, v in enumerate(s.draw(rng, n))
                    ],
                )
            for n in (1, 3):
                yield Cell(
                    f"quantile q={q}, {shape.name}, {n} cases x {SAMPLES} samples",
                    QuantileMetric,
                    params,
                    shape.quantile(q),
                    lambda rng, s=shape, n=n: [
                        row(c, float(v), k)
                        for c, values in enumerate(clustered(s, rng, n))
                        for k, v in enumerate(values)
                    ],
                )
    rate = RateMetric.parse_params("s.x")
    for p in (0.1, 0.5):
        for n in SIZES:
            yield Cell(
                f"rate p={p}, n={n}",
                RateMetric,
                rate,
                p,
                lambda rng, p=p, n=n: [row(i, bool(v)) for i, v in enumerate(rng.random(n) < p)],
            )
        for n in (1, 2, 3):

            def draw_cases(rng: np.random.Generator, p: float = p, n: int = n) -> Rows:
                level = rng.beta(p, 1 - p, n)  # icc 0.5
                hits = rng.random((n, SAMPLES)) < level[:, None]
                return [row(c, bool(h), k) for c in range(n) for k, h in enumerate(hits[c])]

            yield Cell(
                f"rate p={p}, {n} cases x {SAMPLES} samples",
                RateMetric,
                rate,
                p,
                draw_cases,
            )
    sens, spec = 0.85, 0.95
    corrected = RateMetric.parse_params(
        {
            "expr": "s.x",
            "scorer_error": {
                "sensitivity": sens,
                "positives": 200,
                "specificity": spec,
                "negatives": 300,
            },
        }
    )
    for n in SIZES:
        observed = sens * 0.1 + (1 - spec) * 0.9
        yield Cell(
            f"rate corrected for scorer error, true 0.1, n={n}",
            RateMetric,
            corrected,
            0.1,
            lambda rng, n=n, p=observed: [row(i, bool(v)) for i, v in enumerate(rng.random(n) < p)],
        )
    paired = PairedDeltaMetric.parse_params({"value": "s.x", "reference": "a"})
    for n in SIZES:

        def draw_pairs(rng: np.random.Generator, n: int = n) -> Rows:
            # Lengths of two answers to one template: a lognormal base and a skewed change
            # (gamma, shape 2: skewness 1.4) of true mean 20 characters.
            out = []
            for t in range(n):
                base = float(rng.lognormal(5, 0.8))
                change = float(rng.gamma(2, 15)) - 10
                out.append(row(2 * t, base, template=f"t{t}", group="a"))
                out.append(row(2 * t + 1, base + change, template=f"t{t}", group="b"))
            return out

        yield Cell(
            f"paired delta, skewed change, {n} pairs", PairedDeltaMetric, paired, 20.0, draw_pairs
        )
    for statistic, shape in (("mean", shapes[0]), ("rate", None)):
        params = DisparityMetric.parse_params(
            {"value": "s.x", "by": "meta.group", "statistic": statistic}
        )
        for n in SIZES:

            def draw_groups(rng: np.random.Generator, n: int = n, shape: Any = shape) -> Rows:
                out = []
                for g in range(2):
                    values = shape.draw(rng, n) if shape else rng.random(n) < 0.2
                    out += [
                        row(g * 100 + i, float(v) if shape else bool(v), group=f"g{g}")
                        for i, v in enumerate(values)
                    ]
                return out

            what = shape.name if shape else "rate 0.2"
            yield Cell(
                f"disparity of {statistic}s ({what}), no gap, 2 groups x {n}",
                DisparityMetric,
                params,
                0.0,
                draw_groups,
                share=0.2,
            )
    overall = DisparityMetric.parse_params(
        {"value": "s.x", "by": "meta.group", "relative_to": "overall"}
    )
    for n in (1, 3, 8, 10):

        def draw_overall(rng: np.random.Generator, n: int = n, shape: Shape = shapes[1]) -> Rows:
            # The second group 400 ms slower: each group is 200 ms from the overall mean.
            return [
                row(g * 100 + i, float(v) + 400 * g, group=f"g{g}")
                for g in range(2)
                for i, v in enumerate(shape.draw(rng, n))
            ]

        yield Cell(
            f"disparity to overall ({shapes[1].name}), gap 400, 2 groups x {n}",
            DisparityMetric,
            overall,
            200.0,
            draw_overall,
            share=0.2,
        )
    bbq = BbqMetric.parse_params({"statistic": "bias", "context": "ambig"})
    unknown, biased = 0.5, 0.7
    for n in MEAN_SIZES:

        def draw_bbq(rng: np.random.Generator, n: int = n) -> Rows:
            out = []
            for i in range(n):
                is_unknown = bool(rng.random() < unknown)
                stereotyped = bool(rng.random() < biased)
                record = {
                    "parsed": True,
                    "is_unknown": is_unknown,
                    "biased": None if is_unknown else stereotyped,
                    "correct": is_unknown,
                    "context_condition": "ambig",
                }
                out.append({**row(i, None), "scores": {"bbq": record}})
            return out

        yield Cell(
            f"BBQ ambiguous bias (unknown {unknown}, stereotyped {biased}), {n} items",
            BbqMetric,
            bbq,
            (1 - unknown) * (2 * biased - 1),
            draw_bbq,
        )
    flip = FlipRateMetric.parse_params({"value": "s.x"})
    for n in SIZES:

        def draw_flips(rng: np.random.Generator, n: int = n) -> Rows:
            fragility = rng.beta(0.1 * 4, 0.9 * 4, n)  # icc 0.2 between a source's variants
            out = []
            for s in range(n):
                before = bool(rng.random() < 0.5)
                out.append(pair_row(s, "none", before))
                for o in range(4):
                    out.append(pair_row(s, f"op{o}", before != (rng.random() < fragility[s])))
            return out

        yield Cell(
            f"flip-rate 0.1, {n} sources x 4 operators", FlipRateMetric, flip, 0.1, draw_flips
        )


def run_cell(cell: Cell, datasets: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    datasets = max(1, round(datasets * cell.share))
    kind = cell.kind()
    given = covered = upper = upper_covered = approximate = 0
    for d in range(datasets):
        value = kind.compute(cell.draw(rng), cell.params, MetricContext(seed=d))
        low, high, method = value.ci_low, value.ci_high, value.method or ""
        if high is not None:
            upper += 1
            upper_covered += cell.truth <= high + 1e-12
        if low is None or high is None:
            continue
        given += 1
        covered += low - 1e-12 <= cell.truth <= high + 1e-12
        approximate += "approximate" in method
    nan = float("nan")
    return {
        "interval": given / datasets,
        "coverage": covered / given if given else nan,
        "upper": upper_covered / upper if upper else nan,
        "approximate": approximate / given if given else nan,
        "given": given,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=500, help="data sets per cell")
    parser.add_argument("--only", default="", help="only cells naming one of these (a,b)")
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()
    print(
        f"data sets per cell: {args.datasets} (disparity cells a fifth); nominal 0.95 "
        "(upper bound alone: 0.975)\n"
    )
    print("| cell | interval | coverage ± MC SE | upper covers | approximate | verdict | s |")
    print("|---|---|---|---|---|---|---|")
    started = time.monotonic()
    under = labelled = 0
    for i, cell in enumerate(cells()):
        if args.only and not any(word in cell.name for word in args.only.split(",")):
            continue
        began = time.monotonic()
        result = run_cell(cell, args.datasets, args.seed + i)
        seconds = time.monotonic() - began
        coverage, given = result["coverage"], int(result["given"])
        if not given:
            verdict, text = "ok (no interval)", "–"
        else:
            error = math.sqrt(max(coverage * (1 - coverage), 0.95 * 0.05) / given)
            text = f"{coverage:.3f} ± {error:.3f}"
            if coverage + 2 * error >= 0.93:
                verdict = "ok"
            elif result["approximate"] > 0.5:
                verdict = "below 0.93, labelled approximate"
                labelled += 1
            else:
                verdict = "UNDER 0.93, not labelled"
                under += 1
        upper = "–" if math.isnan(result["upper"]) else f"{result['upper']:.3f}"
        share = "–" if math.isnan(result["approximate"]) else f"{result['approximate']:.2f}"
        print(
            f"| {cell.name} | {result['interval']:.2f} | {text} | {upper} | {share} "
            f"| {verdict} | {seconds:.1f} |",
            flush=True,
        )
    print(
        f"\n{under} cell(s) give an interval covering below 0.93 without an 'approximate' "
        f"label; {labelled} with it; {time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
