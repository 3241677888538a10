"""The oracle of ``compare``'s unpaired tests: two runs whose cases do not pair up (other ids
and prompts), each recomputed from its own rows with scipy and closed forms written here.

- a rate, one outcome a case: the pooled two-proportion z-test's p-value and Newcombe's
  hybrid-score interval (method 10), each Wilson interval at 1 - alpha;
- a mean, one value a case: Welch's t-test and interval (``scipy.stats.ttest_ind``);
- with several samples a case, the case is the unit: for a mean, Welch's test on the case
  means (the cluster-robust form equals it where every case has as many samples); for a rate,
  the score t-test at the pooled rate with each run's cluster-robust variance around it
  (floored at the binomial variance there) on Welch-Satterthwaite degrees of freedom, and the
  interval inverting it; where both runs are all misses (or all hits), p is 1 and the interval
  [-u_a, u_b] with u = 1 - (alpha / 2)^(1 / k) for a run of k cases (Clopper-Pearson's bound
  for 0 of k, the case as the unit: exact whatever the cases' correlation);
- verdicts: Holm's step-down over the family's p-values, then the direction the command
  was given.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from . import recompute as rc

kw = rc.scored("kw", "matched")
words = rc.scored("len", "words")


@dataclass
class Expected:
    """One test as the oracle makes it: the difference, interval and p-value."""

    diff: float
    low: float
    high: float
    p_value: float


def unpaired_suite(
    rng: random.Random, *, prefix: str, cases: int, samples: int, p_yes: float
) -> dict[str, Any]:
    """A suite of ``cases`` cases named ``prefix``0..: the callable target answers each
    sample's scripted reply, "yes" at rate ``p_yes``, of 1 to 9 words; groups a and b."""
    written = []
    for i in range(cases):
        replies = []
        for _ in range(samples):
            length = rng.randint(1, 9)
            first = "yes" if rng.random() < p_yes else "no"
            replies.append(" ".join([first] + ["no"] * (length - 1)))
        written.append(
            {
                "id": f"{prefix}{i}",
                "prompt": f"{prefix} question {i}",
                "metadata": {"replies": replies, "group": "ab"[i % 2]},
            }
        )
    return {
        "suite": "unpaired-oracle",
        "version": "1.0.0",
        "samples": samples,
        "cases": written,
        "scorers": [
            {"id": "kw", "use": "contains", "with": {"terms": ["yes"]}},
            {"id": "len", "use": "length"},
        ],
        "metrics": [
            {"id": "yes_rate", "rate": "kw.matched", "by": "meta.group"},
            {"id": "words_mean", "mean": "len.words", "by": "meta.group"},
        ],
    }


def _totals(rows: list[rc.Row], value: rc.Getter) -> tuple[np.ndarray, np.ndarray]:
    counted = [r for r in rows if value(r) is not None]
    return rc.case_totals(counted, [float(value(r)) for r in counted])


def newcombe(x_a: float, n_a: float, x_b: float, n_b: float, confidence: float) -> Expected:
    """Rate b minus rate a: Newcombe's method 10 interval and the pooled z-test."""
    p_a, p_b = x_a / n_a, x_b / n_b
    l_a, u_a = rc.wilson(p_a, n_a, confidence)  # type: ignore[arg-type]
    l_b, u_b = rc.wilson(p_b, n_b, confidence)  # type: ignore[arg-type]
    diff = p_b - p_a
    low = diff - math.sqrt((p_b - l_b) ** 2 + (u_a - p_a) ** 2)
    high = diff + math.sqrt((u_b - p_b) ** 2 + (p_a - l_a) ** 2)
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    p = 1.0 if se == 0 else float(2 * stats.norm.sf(abs(diff) / se))
    return Expected(diff, max(-1.0, low), min(1.0, high), p)


def welch(a: np.ndarray, b: np.ndarray, confidence: float) -> Expected:
    """Mean b minus mean a: scipy's Welch test and interval."""
    test = stats.ttest_ind(b, a, equal_var=False)
    ci = test.confidence_interval(confidence)
    return Expected(float(b.mean() - a.mean()), float(ci.low), float(ci.high), float(test.pvalue))


def clustered_rate(
    a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], confidence: float
) -> Expected:
    """The score t-test at the pooled rate over cases (module docstring)."""
    (hits_a, size_a), (hits_b, size_b) = a, b
    n_a, n_b = size_a.sum(), size_b.sum()
    pooled = (hits_a.sum() + hits_b.sum()) / (n_a + n_b)
    if pooled in (0.0, 1.0):
        u_a = rc.clopper_pearson(0, size_a.size, confidence)[1]
        u_b = rc.clopper_pearson(0, size_b.size, confidence)[1]
        return Expected(0.0, -u_a if pooled == 0 else -u_b, u_b if pooled == 0 else u_a, 1.0)
    diff = hits_b.sum() / n_b - hits_a.sum() / n_a
    parts = []
    for hits, size, n in ((hits_a, size_a, n_a), (hits_b, size_b, n_b)):
        k = size.size
        parts.append((k / (k - 1) * np.sum((hits - pooled * size) ** 2) / n**2, k - 1))
    (v_a, df_a), (v_b, df_b) = parts
    floor = pooled * (1 - pooled) * (1 / n_a + 1 / n_b)
    se = math.sqrt(max(v_a + v_b, floor))
    df = (v_a + v_b) ** 2 / (v_a**2 / df_a + v_b**2 / df_b) if v_a + v_b > 0 else df_a + df_b
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    p = min(1.0, float(2 * stats.t.sf(abs(diff) / se, df)))
    return Expected(float(diff), max(-1.0, diff - half), min(1.0, diff + half), p)


def expected_test(kind: str, base: list[rc.Row], cand: list[rc.Row], confidence: float) -> Expected:
    """The oracle's test of ``kind`` (rate: yes_rate; mean: words_mean) between two runs'
    rows."""
    value = kw if kind == "rate" else words
    a, b = _totals(base, value), _totals(cand, value)
    several = a[1].max() > 1 or b[1].max() > 1
    if kind == "rate":
        if several:
            return clustered_rate(a, b, confidence)
        return newcombe(a[0].sum(), a[1].sum(), b[0].sum(), b[1].sum(), confidence)
    # every case has as many samples: the cluster-robust Welch is Welch on the case means
    return welch(a[0] / a[1], b[0] / b[1], confidence)


def holm(p_values: list[float]) -> list[float]:
    """Holm-adjusted p-values, in the input order."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def verdict(diff: float, p_adjusted: float, alpha: float, higher: bool) -> str:
    if p_adjusted >= alpha:
        return "unchanged"
    return "improved" if (diff > 0) == higher else "regressed"
