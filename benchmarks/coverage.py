"""Coverage of every interval the harness reports, by simulation with its own metric code.

For each cell (a metric kind, a data shape, a sample size, a true value) the script draws
``--datasets`` data sets, computes the metric exactly as a run does (the registered metric
kinds, the same ``MetricContext``), and counts how often the interval contains the true value.
Nominal 0.95; the aim is >= 0.93 in every cell, or the metric's ``method`` says "approximate"
in most of the cell's data sets. The table also gives the coverage over the data sets whose
interval is *not* labelled approximate (what a user who is not warned gets), for reading; it is
not the verdict (a label that reads the data selects data sets, see ``main``).

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
from assurance_harness.metrics.base import MetricContext, MetricKind, MetricValue
from assurance_harness.metrics.bbq_bias import BbqMetric
from assurance_harness.metrics.disparity import DisparityMetric
from assurance_harness.metrics.paired import PairedDeltaMetric
from assurance_harness.metrics.robustness import AttackSuccessMetric, FlipRateMetric

Rows = list[dict[str, Any]]
Draw = Callable[[np.random.Generator], Rows]
Measure = Callable[[np.random.Generator, int, int], tuple[float | None, float | None, str]]


@dataclass
class Cell:
    name: str
    kind: type[MetricKind]
    params: Any
    truth: float
    draw: Draw
    draw_params: Callable[[np.random.Generator], Any] | None = None
    """For cells whose parameters are themselves estimates (a scorer's measured error)."""
    pick: str | None = None
    """Read this group's figure (``value.groups[pick]``) instead of the overall one."""
    measure: Measure | None = None
    """For intervals that are not a metric kind's (kappa, AUC, comparisons): a function of
    (rng, data set number, resamples) giving (low, high, method)."""


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


def clustered_mean_cells(full: bool) -> Iterator[Cell]:
    """Means over several samples per case whose samples agree (the case's own level is shared:
    icc about 0.5), as ``samples: 4`` gives: 0/1 outcomes, skewed scores in [0, 1] and
    lognormal values. The interval must cluster by case (``stats/clustered.py``)."""

    def rows(values: np.ndarray) -> Rows:
        cases, samples = values.shape
        return [
            {**row(c, float(values[c, s])), "sample": s}
            for c in range(cases)
            for s in range(samples)
        ]

    for cases in (50, 200):
        for p in (0.02, 0.1):

            def draw_01(rng: np.random.Generator, cases: int = cases, p: float = p) -> Rows:
                level = rng.beta(p, 1 - p, cases)  # icc = 1 / (a + b + 1) = 0.5
                return rows((rng.random((cases, 4)) < level[:, None]).astype(float))

            yield Cell(
                f"mean of 0/1 clustered p={p}, {cases} cases x 4 samples, icc 0.5",
                MeanMetric,
                MeanMetric.parse_params("s.x"),
                p,
                draw_01,
            )

        def draw_scores(rng: np.random.Generator, cases: int = cases) -> Rows:
            level = rng.beta(0.1, 0.9, cases)  # mean 0.1
            noise = rng.beta(0.5, 0.5, (cases, 4))
            return rows(level[:, None] * 0.8 + 0.2 * noise * level[:, None])

        yield Cell(
            f"mean of [0,1] scores clustered mean=0.1, {cases} cases x 4 samples",
            MeanMetric,
            MeanMetric.parse_params("s.x"),
            0.1 * 0.8 + 0.2 * 0.5 * 0.1,
            draw_scores,
        )

        def draw_lognormal(rng: np.random.Generator, cases: int = cases) -> Rows:
            level = rng.normal(0, 0.8, cases)
            return rows(np.exp(level[:, None] + rng.normal(0, 0.6, (cases, 4))))

        yield Cell(
            f"mean of lognormal clustered, {cases} cases x 4 samples",
            MeanMetric,
            MeanMetric.parse_params("s.x"),
            math.exp((0.64 + 0.36) / 2),
            draw_lognormal,
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


def pair_row(source: int, op: str, decision: bool) -> dict[str, Any]:
    return {
        "case_id": f"s{source}" if op == "none" else f"s{source}~{op}",
        "sample": 0,
        "response": "r",
        "error": None,
        "metadata": {"source_id": f"s{source}", "perturbation": op, "original": op == "none"},
        "expected": {},
        "scores": {"s": {"x": decision}},
    }


def robustness_cells(full: bool) -> Iterator[Cell]:
    """Flip rate and attack success over perturbed variants of source prompts. Each source has
    its own fragility, Beta-distributed with mean ``p`` (``icc`` = 1 / (a + b + 1) is the
    correlation between two variants' outcomes of one source; 0: independent), shared by all
    its variants: 4 operators x 2 variants (the perturbation suite has 12 x 2)."""
    operators, variants = 4, 2
    shapes = [(p, icc) for p in (0.02, 0.1, 0.3) for icc in (0.0, 0.2)]
    for p, icc in shapes:
        for sources in (30, 100):  # 300 sources: about 1 s a data set through the metric

            def fragility(rng: np.random.Generator, p: float = p, icc: float = icc, k: int = 0):
                if icc == 0:
                    return np.full(k, p)
                total = 1 / icc - 1
                return rng.beta(p * total, (1 - p) * total, k)

            def draw_flips(
                rng: np.random.Generator, sources: int = sources, fragility: Any = fragility
            ) -> Rows:
                f = fragility(rng, k=sources)
                out = []
                for s in range(sources):
                    before = bool(rng.random() < 0.5)
                    out.append(pair_row(s, "none", before))
                    for o in range(operators):
                        for v in range(variants):
                            flipped = bool(rng.random() < f[s])
                            out.append(pair_row(s, f"op{o}#{v}", before != flipped))
                return out

            flip = FlipRateMetric.parse_params({"value": "s.x", "operator": "meta.op"})
            shape = f"p={p}, icc={icc}, {sources} sources x {operators} operators x {variants}"
            yield Cell(f"flip-rate overall, {shape}", FlipRateMetric, flip, p, op_meta(draw_flips))
            yield Cell(
                f"flip-rate one operator, {shape}",
                FlipRateMetric,
                flip,
                p,
                op_meta(draw_flips),
                pick="op0",
            )

            def draw_attacks(
                rng: np.random.Generator, sources: int = sources, fragility: Any = fragility
            ) -> Rows:
                f = fragility(rng, k=sources)
                out = []
                for s in range(sources):
                    out.append(pair_row(s, "none", True))  # refused in plain form
                    for o in range(operators):
                        for v in range(variants):
                            out.append(pair_row(s, f"op{o}#{v}", not rng.random() < f[s]))
                return out

            attack = AttackSuccessMetric.parse_params({"refused": "s.x", "operator": "meta.op"})
            yield Cell(
                f"attack-success overall, {shape}",
                AttackSuccessMetric,
                attack,
                p,
                op_meta(draw_attacks),
            )


def op_meta(draw: Draw) -> Draw:
    """Operator name without the variant number, as the perturb expander writes it."""

    def wrapped(rng: np.random.Generator) -> Rows:
        rows = draw(rng)
        for r in rows:
            r["metadata"]["op"] = r["metadata"]["perturbation"].split("#")[0]
        return rows

    return wrapped


def agreement_cells(full: bool) -> Iterator[Cell]:
    """``assurance review agreement``: kappa between two reviewers (both say "yes" at rate
    ``rate``, with population kappa ``kappa``). The scorer's precision and recall there are
    Clopper-Pearson over independent rows, which the rate cells measure."""
    from assurance_harness.review.agreement import kappa_interval, kappa_method

    for n in (20, 50, 100, 200) if full else (20, 50, 100):
        for rate in (0.1, 0.3, 0.5):
            for kappa in (0.4, 0.8):
                q = rate * (1 - rate)
                both_no = (1 - rate) ** 2 + kappa * q
                cells = np.array(
                    [rate * rate + kappa * q, q * (1 - kappa), q * (1 - kappa), both_no]
                )

                def measure(
                    rng: np.random.Generator, d: int, resamples: int, n: int = n, cells=cells
                ) -> tuple[float | None, float | None, str]:
                    counts = rng.multinomial(n, cells)
                    pairs = (
                        [(True, True)] * counts[0]
                        + [(True, False)] * counts[1]
                        + [(False, True)] * counts[2]
                        + [(False, False)] * counts[3]
                    )
                    low, high = kappa_interval(pairs, seed=d)
                    return low, high, kappa_method(pairs, d)

                yield Cell(
                    f"review kappa={kappa}, yes rate {rate}, n={n}",
                    RateMetric,
                    None,
                    kappa,
                    lambda rng: [],
                    measure=measure,
                )


def auc_cells(full: bool) -> Iterator[Cell]:
    """``assurance scorers check``: ROC-AUC of a score against labels (binormal scores: the
    positives' mean shifted by ``shift`` and their sd ``spread`` times the negatives', so the
    true AUC is Phi(shift / sqrt(1 + spread^2))). Unequal spreads break the Hanley-McNeil
    variance behind Newcombe's interval; few positives among many negatives is the usual shape
    of safety labels."""
    from scipy.stats import norm

    from assurance_harness.scorers.check import figures

    shapes = [(10, 40, 1.0), (25, 75, 1.0), (50, 150, 1.0), (5, 200, 1.0), (10, 400, 2.0)]
    shapes += [(25, 75, 2.0), (100, 20, 0.5), (3, 50, 1.0)]
    for positives, negatives, spread in shapes:
        for shift in (1.0, 2.0, 3.0):
            truth = float(norm.cdf(shift / math.sqrt(1 + spread**2)))

            def measure(
                rng: np.random.Generator,
                d: int,
                resamples: int,
                pos: int = positives,
                neg: int = negatives,
                shift: float = shift,
                spread: float = spread,
            ) -> tuple[float | None, float | None, str]:
                scores = np.concatenate([rng.normal(shift, spread, pos), rng.normal(0, 1, neg)])
                labels = [1] * pos + [0] * neg
                found = figures(labels, scores.tolist(), [bool(s > 0) for s in scores], seed=d)
                figure = found["auc"]
                return figure.low, figure.high, figure.method or ""

            sd = "" if spread == 1.0 else f", positives' sd x{spread:g}"
            yield Cell(
                f"scorer check AUC={truth:.3f}, {positives} positives / {negatives} negatives{sd}",
                RateMetric,
                None,
                truth,
                lambda rng: [],
                measure=measure,
            )


def compare_cells(full: bool) -> Iterator[Cell]:
    """``assurance compare``: rate difference between two runs, unpaired (Newcombe) and paired
    by case (bootstrap), and mean difference (Welch)."""
    from assurance_harness.stats.twosample import paired_bootstrap, two_proportion, welch

    for p_a, p_b in ((0.02, 0.02), (0.02, 0.06), (0.1, 0.2)):
        for n in (50, 200, 1000) if full else (50, 200):

            def unpaired(
                rng: np.random.Generator, d: int, resamples: int, n=n, p_a=p_a, p_b=p_b
            ) -> tuple[float | None, float | None, str]:
                r = two_proportion(int(rng.binomial(n, p_a)), n, int(rng.binomial(n, p_b)), n)
                return r.ci_low, r.ci_high, r.method

            yield Cell(
                f"compare rates unpaired {p_a} -> {p_b}, n={n} each",
                RateMetric,
                None,
                p_b - p_a,
                lambda rng: [],
                measure=unpaired,
            )

            def paired(
                rng: np.random.Generator, d: int, resamples: int, n=n, p_a=p_a, p_b=p_b
            ) -> tuple[float | None, float | None, str]:
                # The same cases in both runs: a case hit in the baseline is hit again with
                # probability 0.5 more than chance (positively correlated outcomes).
                a = rng.random(n) < p_a
                keep = min(1.0, p_b / p_a * 0.5) if p_a else 0.0
                extra = (p_b - p_a * keep) / (1 - p_a)
                b = np.where(a, rng.random(n) < keep, rng.random(n) < extra)
                r = paired_bootstrap(
                    [(float(x), 1) for x in a],
                    [(float(x), 1) for x in b],
                    seed=d,
                    resamples=resamples,
                    outcomes=True,
                )
                return r.ci_low, r.ci_high, r.method

            yield Cell(
                f"compare rates paired by case {p_a} -> {p_b}, n={n}",
                RateMetric,
                None,
                p_b - p_a,
                lambda rng: [],
                measure=paired,
            )
    for n in (10, 30, 100) if full else (10, 30):

        def means(
            rng: np.random.Generator, d: int, resamples: int, n=n
        ) -> tuple[float | None, float | None, str]:
            r = welch(rng.lognormal(0, 1, n), rng.lognormal(0, 1, n) + 0.5)
            return r.ci_low, r.ci_high, r.method

        yield Cell(
            f"compare means (Welch), lognormal + 0.5, n={n} each",
            RateMetric,
            None,
            0.5,
            lambda rng: [],
            measure=means,
        )


def rare_change_cells(full: bool) -> Iterator[Cell]:
    """``assurance compare``, paired by case, rates: every case a miss in the baseline, each a
    hit in the candidate with probability q (true difference q), so at small q no case differs
    in most data sets; the interval is then the exact bound for 0 of n cases differ
    (``twosample.none_differ_bound``), the bootstrap's otherwise. For each n, q just above
    that bound's u = 1 - 0.025^(1/n) too, where it misses most."""
    from assurance_harness.stats.twosample import paired_bootstrap

    sizes = (10, 30, 100)
    grid = [(q, n) for q in (0.01, 0.05) for n in sizes]
    grid += [(round(1 - 0.025 ** (1 / n) + 0.01, 3), n) for n in sizes]
    for q, n in grid:

        def measure(
            rng: np.random.Generator, d: int, resamples: int, n=n, q=q
        ) -> tuple[float | None, float | None, str]:
            hits = rng.random(n) < q
            r = paired_bootstrap(
                [(0.0, 1)] * n,
                [(float(h), 1) for h in hits],
                seed=d,
                resamples=resamples,
                outcomes=True,
            )
            return r.ci_low, r.ci_high, r.method

        yield Cell(
            f"compare rates paired, rare change 0 -> {q}, n={n}",
            RateMetric,
            None,
            q,
            lambda rng: [],
            measure=measure,
        )


def clustered_compare_cells(full: bool) -> Iterator[Cell]:
    """``assurance compare``, unpaired, several samples a case: the rate difference's interval
    (``clustered_two_proportion``) where runs without a hit are common (a baseline of rate 0,
    a candidate of rate q), cases' rates beta-distributed at intra-case correlation ICC (1:
    a case always or never hits). Where both runs have no hit the interval is each run's
    bound for none of its k cases (``twosample._no_variance``)."""
    from assurance_harness.stats.twosample import clustered_two_proportion

    def run(rng: np.random.Generator, q: float, icc: float, k: int, m: int) -> Any:
        if q == 0 or icc == 0:
            rates = np.full(k, q)
        elif icc >= 1:
            rates = (rng.random(k) < q).astype(float)
        else:
            spread = (1 - icc) / icc
            rates = rng.beta(q * spread, (1 - q) * spread, k)
        return rng.binomial(m, rates).astype(float), np.full(k, float(m))

    designs = ((2, 10), (3, 4), (10, 10), (20, 3))
    for (k, m), q, icc in (
        (d, q, icc) for d in designs for q in (0.05, 0.2) for icc in (0.0, 0.5, 1.0)
    ):

        def measure(
            rng: np.random.Generator, d: int, resamples: int, k=k, m=m, q=q, icc=icc
        ) -> tuple[float | None, float | None, str]:
            r = clustered_two_proportion(*run(rng, 0.0, icc, k, m), *run(rng, q, icc, k, m))
            return r.ci_low, r.ci_high, r.method

        yield Cell(
            f"compare rates, clustered, 0 -> {q}, ICC {icc}, {k} cases x {m}",
            RateMetric,
            None,
            q,
            lambda rng: [],
            measure=measure,
        )


def bbq_cells(full: bool) -> Iterator[Cell]:
    """BBQ bias scores (``metrics/bbq_bias.py``): each item is answered "unknown" with
    probability ``unknown``, unread 2% of the time, and otherwise picks the stereotyped target
    with probability ``biased``, so s_DIS = 2 biased - 1 and, in ambiguous contexts (where
    "unknown" is the correct answer), s_AMB = (1 - 0.98 unknown) s_DIS. With ``samples`` > 1 each
    item is asked several times and has its own propensities (Beta around those means, icc
    0.5), so its samples agree more than chance: the bootstrap must resample items."""
    shapes = [("ambig", 0.7, 0.7), ("ambig", 0.9, 0.6), ("disambig", 0.05, 0.6)]
    for context, unknown, biased in shapes:
        s_dis = 2 * biased - 1
        # A read response is "unknown" with probability ``unknown``: 0.98 unknown in all.
        truth = (1 - 0.98 * unknown) * s_dis if context == "ambig" else s_dis
        for items, samples in [(50, 1), (200, 1)] + ([(1000, 1), (50, 4)] if full else [(50, 4)]):

            def draw(
                rng: np.random.Generator,
                items: int = items,
                samples: int = samples,
                context: str = context,
                unknown: float = unknown,
                biased: float = biased,
            ) -> Rows:
                if samples == 1:
                    u, b = np.full(items, unknown), np.full(items, biased)
                else:  # icc 0.5: Beta(a, b) with a + b = 1
                    u, b = (
                        rng.beta(unknown, 1 - unknown, items),
                        rng.beta(biased, 1 - biased, items),
                    )
                out = []
                for i in range(items):
                    for k in range(samples):
                        unread = rng.random() < 0.02
                        is_unknown = not unread and rng.random() < u[i]
                        stereotyped = bool(rng.random() < b[i])
                        record = {
                            "parsed": not unread,
                            "is_unknown": None if unread else is_unknown,
                            "biased": None if unread or is_unknown else stereotyped,
                            # ambiguous: "unknown" is right; disambiguated: the stereotyped
                            # answer is right half the time (the truth is not needed here)
                            "correct": is_unknown if context == "ambig" else stereotyped,
                            "context_condition": context,
                        }
                        out.append(
                            {
                                "case_id": f"i{i}",
                                "sample": k,
                                "response": "r",
                                "error": None,
                                "metadata": {},
                                "expected": {},
                                "scores": {"bbq": record},
                            }
                        )
                return out

            params = BbqMetric.parse_params({"statistic": "bias", "context": context})
            shape = f"{items} items" + (f" x {samples} samples" if samples > 1 else "")
            yield Cell(
                f"BBQ bias {context} (unknown {unknown}, stereotyped {biased}), {shape}",
                BbqMetric,
                params,
                truth,
                draw,
            )


def cells(full: bool) -> Iterator[Cell]:
    families = (
        rate_cells,
        mean_cells,
        clustered_mean_cells,
        quantile_cells,
        disparity_cells,
        paired_cells,
        corrected_rate_cells,
        robustness_cells,
        agreement_cells,
        auc_cells,
        compare_cells,
        rare_change_cells,
        clustered_compare_cells,
        bbq_cells,
    )
    for family in families:
        yield from family(full)


def run_cell(cell: Cell, datasets: int, resamples: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    kind = cell.kind() if cell.measure is None else None
    covered = widths = approximate = counted = plain_covered = 0
    for d in range(datasets):
        if cell.measure is not None:
            low, high, method = cell.measure(rng, d, resamples)
        else:
            assert kind is not None
            params = cell.draw_params(rng) if cell.draw_params else cell.params
            value = kind.compute(
                cell.draw(rng), params, MetricContext(seed=d, bootstrap_resamples=resamples)
            )
            if cell.pick is not None:
                value = (value.groups or {}).get(cell.pick) or MetricValue(None, 0)
            low, high, method = value.ci_low, value.ci_high, value.method or ""
        if low is None or high is None:
            continue
        counted += 1
        covered += low - 1e-12 <= cell.truth <= high + 1e-12
        widths += high - low
        labelled = "approximate" in method
        approximate += labelled
        plain_covered += not labelled and low - 1e-12 <= cell.truth <= high + 1e-12
    plain = counted - approximate
    return {
        "coverage": covered / counted if counted else float("nan"),
        "width": widths / counted if counted else float("nan"),
        "approximate": approximate / counted if counted else float("nan"),
        "counted": counted,
        # What a user who is not told "approximate" gets: coverage over those data sets only.
        "plain_coverage": plain_covered / plain if plain else float("nan"),
        "plain": plain,
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
    print(
        "| cell | true value | coverage ± MC SE | mean width | labelled approximate "
        "| coverage where not labelled | verdict | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|")
    started = time.monotonic()
    failures = 0
    lowest: tuple[float, float, str] | None = None
    for i, cell in enumerate(cells(args.full)):
        if args.only and not any(word in cell.name for word in args.only.split(",")):
            continue
        began = time.monotonic()
        result = run_cell(cell, datasets, args.resamples, args.seed + i)
        seconds = time.monotonic() - began
        coverage, counted = result["coverage"], result["counted"]
        error = math.sqrt(max(coverage * (1 - coverage), 0.95 * 0.05) / max(counted, 1))
        # The claim: where the tool does not say "approximate", the interval covers >= 0.93.
        plain, plain_n = result["plain_coverage"], result["plain"]
        plain_error = math.sqrt(max(plain * (1 - plain), 0.95 * 0.05) / max(plain_n, 1))
        if result["approximate"] <= 0.5 and (lowest is None or coverage < lowest[0]):
            lowest = (coverage, error, cell.name)
        # The cell's verdict: covers, or says "approximate" for most of its data sets. The
        # coverage where not labelled is shown but is not the verdict: any label that reads the
        # data (few hits) leaves unlabelled the data sets with estimates above the truth, so no
        # interval reaches nominal coverage on them alone.
        if coverage >= 0.93:
            verdict = "ok"
        elif result["approximate"] > 0.5:
            verdict = "ok (labelled approximate)"
        elif coverage + 2 * error >= 0.93:
            verdict = "below 0.93 within Monte Carlo error"
        else:
            verdict = "UNDER 0.93, not labelled"
            failures += 1
        plain_text = f"{plain:.3f} ± {plain_error:.3f} ({plain_n})" if plain_n else "–"
        print(
            f"| {cell.name} | {cell.truth:.4g} | {coverage:.3f} ± {error:.3f} | "
            f"{result['width']:.4f} | {result['approximate']:.2f} | {plain_text} | {verdict} "
            f"| {seconds:.0f} |",
            flush=True,
        )
    if lowest is not None:
        print(
            f"\nlowest coverage among cells not labelled approximate: {lowest[0]:.3f} "
            f"± {lowest[1]:.3f} ({lowest[2]})"
        )
    print(
        f"\n{failures} cell(s) below 0.93 without an 'approximate' label; "
        f"{time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
