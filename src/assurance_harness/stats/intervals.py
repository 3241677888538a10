"""Confidence intervals: Wilson for rates, seeded percentile bootstrap for everything else.

Wilson rather than the normal approximation because assurance rates sit near 0 or 1 with
small n, where the normal interval collapses to zero width and overstates certainty.
This is the one home of the harness's intervals: metrics, comparisons and plots all use it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import numpy as np

from ._special import beta_ppf, binom_ppf, ndtri, stdtrit

BOOTSTRAP_BLOCK = 1 << 20
"""Most resampled values held at once: resamples are drawn in blocks of about this many values,
so memory is O(n) (plus this constant), not O(resamples x n). The random stream, and so every
interval, is the same as drawing all resamples at once."""


@lru_cache(maxsize=256)
def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile for ``confidence`` (1.96 at 0.95).

    ``ndtri`` is what ``scipy.stats.norm.ppf`` computes, without the distribution machinery's
    argument checks (about 0.5 ms a call; a disparity over 8 groups makes dozens of calls)."""
    return float(ndtri(0.5 + confidence / 2))


def wilson(
    successes: float, n: float, confidence: float = 0.95
) -> tuple[float | None, float | None]:
    """Wilson score interval for a binomial proportion; (None, None) when n == 0 (the counts
    may be effective ones, not whole numbers).

    With no hits the lower bound is exactly 0, and with all hits the upper bound exactly 1 (the
    closed form gives that too, but floating-point rounding does not always: a report would
    otherwise show "1e-17" and a gate ``min: 1`` on an upper bound could fail on rounding).
    """
    if n <= 0:
        return None, None
    z = z_value(confidence)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def resample_indices(
    rng: np.random.Generator, size: int, resamples: int
) -> Any:  # Iterator[np.ndarray], kept loose for numpy's typing
    """Yield blocks of bootstrap index rows (each row ``size`` draws from ``range(size)``).

    Successive blocks continue one random stream, so the concatenation equals a single
    ``rng.integers(0, size, (resamples, size))`` draw.
    """
    block = max(1, BOOTSTRAP_BLOCK // max(size, 1))
    done = 0
    while done < resamples:
        count = min(block, resamples - done)
        yield rng.integers(0, size, size=(count, size))
        done += count


def bootstrap_ci(
    data: Sequence[float] | np.ndarray,
    statistic: Callable[[np.ndarray], float],
    *,
    seed: int,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> tuple[float | None, float | None]:
    """Percentile bootstrap interval of ``statistic`` over resamples of ``data`` (seeded)."""
    return bootstrap_cis([data], statistic, seed=seed, resamples=resamples, confidence=confidence)[
        0
    ]


def bootstrap_cis(
    datas: Sequence[Sequence[float] | np.ndarray],
    statistic: Callable[[np.ndarray], float],
    *,
    seed: int,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> list[tuple[float | None, float | None]]:
    """``bootstrap_ci`` of each array, as one call each would give it. Each call seeds its own
    stream, so arrays of one size would all draw the same indices: they are drawn once for
    them (a disparity's groups are often of one size: 5 groups of 20k cases drew 2 x 10^8
    indices five times). A mean of many values with few distinct ones is resampled by how
    often each value is drawn (``levelcounts``: the same bootstrap, 1.2 s -> under 0.01 s at
    100k values of 40 distinct ones)."""
    from .levelcounts import bootstrap_sums, few_levels

    arrays = [np.asarray(data, dtype=float) for data in datas]
    out: list[tuple[float | None, float | None]] = [(None, None)] * len(arrays)
    by_size: dict[int, list[int]] = {}
    alpha = (1 - confidence) / 2
    for i, values in enumerate(arrays):
        levels = few_levels(values) if statistic is np.mean else None
        if levels is not None:  # a mean's resamples by how often each value is drawn
            means = bootstrap_sums(levels, np.random.default_rng(seed), resamples) / levels.n
            low, high = np.nanquantile(means, [alpha, 1 - alpha])
            out[i] = (float(low), float(high))
        elif values.size == 1:
            only = float(statistic(values))
            out[i] = (only, only)
        elif values.size > 1:
            by_size.setdefault(values.size, []).append(i)
    for size, members in by_size.items():
        parts: list[list[np.ndarray]] = [[] for _ in members]
        for idx in resample_indices(np.random.default_rng(seed), size, resamples):
            for part, i in zip(parts, members, strict=True):
                part.append(_statistic_rows(arrays[i][idx], statistic))
        for part, i in zip(parts, members, strict=True):
            low, high = np.nanquantile(np.concatenate(part), [alpha, 1 - alpha])
            out[i] = (float(low), float(high))
    return out


def _statistic_rows(samples: np.ndarray, statistic: Callable[[np.ndarray], float]) -> np.ndarray:
    """``statistic`` of each row of ``samples``."""
    vectorised: Any = statistic  # numpy reductions take axis=; plain callables do not
    try:
        return np.asarray(vectorised(samples, axis=1), dtype=np.float64)
    except TypeError:
        return np.array([statistic(row) for row in samples], dtype=np.float64)


def bootstrap_mean(
    values: Sequence[float] | np.ndarray,
    *,
    seed: int,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> tuple[float | None, float | None]:
    """Bootstrap interval for a mean."""
    return bootstrap_ci(values, np.mean, seed=seed, resamples=resamples, confidence=confidence)


def clopper_pearson(
    successes: int, n: int, confidence: float = 0.95
) -> tuple[float | None, float | None]:
    """Clopper-Pearson ("exact") interval for a binomial proportion; (None, None) when n == 0.

    The interval the harness reports for rates. Its coverage is at least ``confidence`` at
    every true rate and every n; Wilson's dips to 0.84 near rates of c/n (0.92 at n = 50 and a
    rate of 0.02), which is where safety rates live. It is a little wider (about 8% at mid
    rates; at zero hits of 50 the upper bounds are 0.071 against Wilson's 0.071).
    """
    if n <= 0:
        return None, None
    alpha = 1 - confidence
    low = 0.0 if successes <= 0 else beta_ppf(alpha / 2, successes, n - successes + 1)
    high = 1.0 if successes >= n else beta_ppf(1 - alpha / 2, successes + 1, n - successes)
    return low, high


def cochran_caveat(values: np.ndarray) -> str | None:
    """Why a normal-theory or bootstrap interval for a mean is approximate here, or None.

    Cochran's rule: the mean of skewed values is near-normal once n > 25 * skewness^2; below
    that (and below n = 30 whatever the skewness) the interval undercovers (a lognormal at
    n = 50: 0.84 at nominal 0.95, benchmarks/coverage.py)."""
    n = int(values.size)
    if n < 2:
        return "approximate: fewer than two values"
    sd = float(values.std())
    skew = 0.0 if sd == 0 else float(np.mean(((values - values.mean()) / sd) ** 3))
    needed = max(30, math.ceil(25 * skew * skew))
    if n < needed:
        return f"approximate: skewed values (skewness {skew:.1f}) need n >= {needed}"
    return None


def wilson_mean(
    mean: float, n: float, confidence: float = 0.95
) -> tuple[float | None, float | None]:
    """Score interval for the mean of ``n`` values that lie in [0, 1] (``n`` may be an
    effective sample size, not a whole number).

    Wilson's interval with the mean in place of the proportion. For 0/1 values it *is* Wilson's;
    for other values in [0, 1] the variance is at most ``mean * (1 - mean)`` (the Bernoulli
    variance), so the interval is conservative, and it stays honest where the bootstrap is not:
    with rare high scores and no high score in the sample, a bootstrap gives [0, 0].
    """
    if n <= 0:
        return None, None
    z = z_value(confidence)
    p = min(1.0, max(0.0, mean))
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if p == 0 else max(0.0, centre - half)
    high = 1.0 if p == 1 else min(1.0, centre + half)
    return low, high


def least_bound_coverage(confidence: float) -> float:
    """The least one-sided coverage of a bound the harness still gives (labelled approximate):
    a miss rate of at most four times the nominal alpha / 2, 0.90 at 95%. The order statistics
    at a sample's extremes cover exactly 1 - q^n (the maximum, above the q quantile) and
    1 - (1 - q)^n (the minimum, below it), so this decides which such bounds stand. At 0.90
    the maximum of 50 values stays the (approximate) upper bound of the 0.95 quantile, as
    before (0.92); the maximum of 10 values, above the 0.9 quantile 65% of the time, does not."""
    return 1 - 2 * (1 - confidence)


def _size_needed(alpha: float, log_miss: float) -> float:
    """The least n at which a sample's extreme covers often enough (``1 - p^n`` reaches
    ``least_bound_coverage``), given ``log_miss`` = log p, the log of the chance one value
    misses. At a q next to 0 (below about 1e-16) or next to 1, log p is so near 0 that the
    size is past any count (infinite where the division overflows): that is the answer, not a
    ZeroDivisionError after every response was collected."""
    size = math.log(2 * alpha) / log_miss if log_miss else math.inf
    return float(math.ceil(size)) if math.isfinite(size) else math.inf


def _needs(need: float) -> str:
    """A needed sample size as a note says it: whole up to a trillion, beyond that in powers
    of ten (a q of 1e-300 needs about 2.3e+300 values; its 301 digits say no more)."""
    if not math.isfinite(need):
        return "more values than can be counted"
    return f"n >= {need:.0f}" if need < 1e12 else f"n >= {need:.2g}"


def extreme_rank_bounds(
    lower_rank: int, upper_rank: int, size: int, q: float, confidence: float, *, counted: str
) -> tuple[int | None, int | None, str | None]:
    """Order-statistic ranks (1-based, of ``size`` values) for the ``q`` quantile's interval
    once checked against the sample's extent: (lower rank, upper rank, note).

    A rank beyond the sample is clamped to its extreme, labelled approximate, when that
    extreme's exact coverage reaches ``least_bound_coverage``; otherwise the bound is None and
    the note, which then starts with "no ...", says how often the extreme would cover and what
    size is needed. ``counted`` names the size in the note (``n = 10``; ``effective n 3.47``
    for clusters)."""
    floor = least_bound_coverage(confidence)
    alpha = 1 - confidence
    low: int | None = lower_rank
    high: int | None = upper_rank
    withheld: list[tuple[str, float, float]] = []
    clamped: list[str] = []
    if lower_rank < 1:
        covers = 1 - (1 - q) ** size
        low = 1 if covers >= floor else None
        if low is None:
            # log1p only where 1 - q rounds to 1.0 (log 0: a division by zero); elsewhere the
            # formula every recorded note was computed with, so their figures stay the same.
            log_miss = math.log(1 - q) if 1 - q < 1 else math.log1p(-q)
            withheld.append(("lower", covers, _size_needed(alpha, log_miss)))
        else:
            clamped.append("lower bound at the sample minimum")
    if upper_rank > size:
        covers = 1 - q**size
        high = size if covers >= floor else None
        if high is None:
            withheld.append(("upper", covers, _size_needed(alpha, math.log(q))))
        else:
            clamped.append("upper bound at the sample maximum")
    if len(withheld) == 2:
        covers = 1 - q**size - (1 - q) ** size
        need = max(need for _, _, need in withheld)
        note = (
            f"no interval: at {counted} the sample's range holds the {q:.15g} quantile only "
            f"{max(covers, 0.0):.0%} of the time; an interval needs {_needs(need)}"
        )
    elif withheld:
        side, covers, need = withheld[0]
        extreme = "minimum" if side == "lower" else "maximum"
        where = "below" if side == "lower" else "above"
        note = (
            f"no {side} bound: at {counted} the sample {extreme} lies {where} the {q:.15g} "
            f"quantile only {covers:.0%} of the time; a {side} bound needs {_needs(need)}"
        )
    else:
        note = None
    if clamped:
        approximate = f"approximate: {' and '.join(clamped)} ({counted} too small)"
        note = f"{note}; {approximate}" if note else approximate
    return low, high, note


def quantile_interval(
    values: Sequence[float] | np.ndarray, q: float, confidence: float = 0.95
) -> tuple[float | None, float | None, str | None]:
    """Distribution-free interval for the ``q`` quantile from order statistics.

    The number of values below the true quantile is Binomial(n, q), so the order statistics at
    that binomial's alpha/2 and 1 - alpha/2 points cover it with at least ``confidence`` for any
    continuous distribution (and conservatively with ties). Returns (low, high, caveat): when n
    is too small for a bound (q = 0.95 needs n >= 72 for a finite upper bound at 95%), that
    bound is the sample's extreme and ``caveat`` says so: the interval is then approximate.
    Where that extreme covers too rarely (``extreme_rank_bounds``), and always for a single
    value, the bound is None and ``caveat`` starts with "no ..." saying why.
    """
    data = np.sort(np.asarray(values, dtype=float))
    n = int(data.size)
    if n == 0:
        return None, None, None
    alpha = 1 - confidence
    if 0 < alpha < 1 and 0 <= q <= 1:  # binom.ppf's own domain: the same ufunc, bit for bit
        lower_rank = int(binom_ppf(alpha / 2, n, q))  # 1-based rank of the lower order statistic
        upper_rank = int(binom_ppf(1 - alpha / 2, n, q)) + 1
    else:  # whatever scipy.stats makes of it (an error, as before)
        from scipy.stats import binom

        lower_rank = int(binom.ppf(alpha / 2, n, q))
        upper_rank = int(binom.ppf(1 - alpha / 2, n, q)) + 1
    if n == 1:
        return None, None, ONE_VALUE_QUANTILE
    low, high, caveat = extreme_rank_bounds(
        lower_rank, upper_rank, n, q, confidence, counted=f"n = {n}"
    )
    return (
        None if low is None else float(data[low - 1]),
        None if high is None else float(data[high - 1]),
        caveat,
    )


ONE_VALUE_QUANTILE = "no interval: one case; a quantile's interval needs at least two cases"
"""One value bounds no quantile: its interval would be [x, x], which holds a continuous
distribution's quantile with probability 0."""


LARGEST_VALUE = 2.0**480
"""Values beyond this in magnitude (about 3e144) get no interval for a mean, and no gap or
paired delta: those square the values' spread and sum the squares over up to millions of
values, which overflows a float (1.8e308) from values near 1e154. The intervals came out as
[-inf, inf] or [NaN, NaN], summary.json held -Infinity and NaN, and a ratio disparity ended
the run with an OverflowError (tests/metrics/test_huge_values.py)."""


def too_large_reason(values: np.ndarray) -> str | None:
    """Why values this large (beyond ``LARGEST_VALUE``) have no interval, with the fix; None
    for any other values."""
    top = float(np.max(np.abs(values))) if values.size else 0.0
    if top <= LARGEST_VALUE:
        return None
    return (
        f"the values reach {top:.3g}, beyond the {LARGEST_VALUE:.3g} at which an interval's "
        "arithmetic (squares of their spread) overflows: scale the expression down (divide "
        "it by a power of ten)"
    )


def at_scale(statistic: Callable[[np.ndarray], Any], values: np.ndarray) -> float:
    """``statistic`` (a mean's std, a quantile's interpolation) of values that may be near the
    largest float, without overflow: where they pass ``LARGEST_VALUE`` it is computed on the
    values divided by a power of two and multiplied back, which is exact, so the figure is the
    one the unscaled arithmetic gives wherever that does not overflow."""
    top = float(np.max(np.abs(values))) if values.size else 0.0
    if top <= LARGEST_VALUE:
        return float(statistic(values))
    exponent = math.frexp(top)[1]
    return float(np.ldexp(float(statistic(np.ldexp(values, -exponent))), exponent))


def is_unit_interval(values: np.ndarray) -> bool:
    """Whether every value lies in [0, 1] (scores, probabilities, 0/1 outcomes)."""
    return bool(values.size) and bool(((values >= 0) & (values <= 1)).all())


MIN_CLUSTERS = 8
"""Fewer clusters than this holding the rarer outcome: a clustered rate's effective sample size
is at most the number of clusters (``outcomes_effective_n``). The cluster-robust variance is
read from those clusters; with 5-7 of them a rate of 0.02 over 100 clusters of 8 with
intra-cluster correlation 0.5 covered 0.91, unlabelled in 63% of data sets at the earlier
threshold of 5 (benchmarks/coverage_clustered.py, 2,000 data sets); runs made before 2026-12-08
labelled such an interval approximate (0.925 there, 1,000 data sets), now capped: 0.989."""


_AS_BEFORE: ContextVar[bool] = ContextVar("effective_n_as_before", default=False)
"""Set only by ``effective_n_as_before``: the rules runs made before 2026-12-08 used."""


@contextmanager
def effective_n_as_before() -> Iterator[None]:
    """Within it, a clustered effective sample size is what runs made before 2026-12-08 used:
    for outcomes all alike, n scaled by the degrees-of-freedom factor, as if a cluster's
    outcomes were independent (``effective_n``); for a rate with few clusters holding the
    rarer outcome, Korn-Graubard's uncapped, labelled approximate
    (``outcomes_effective_n``). ``register.summary_check`` measures such a run again under
    it, so its summary is compared with what that runner published; nothing else may enter
    it."""
    token = _AS_BEFORE.set(True)
    try:
        yield
    finally:
        _AS_BEFORE.reset(token)


def effective_n(sums: np.ndarray, sizes: np.ndarray, confidence: float = 0.95) -> float:
    """Korn and Graubard's (1998) effective sample size of a mean over clusters (k >= 2).

    n* = p(1 - p) / v, with p the pooled mean and v its cluster-robust variance, at most n (so
    an interval from it is never narrower than one that treats every value as independent),
    scaled by (t_{n-1} / t_{k-1})^2 for the k clusters' degrees of freedom. For 0/1 values
    p(1 - p) / n is the binomial variance; for other values in [0, 1] it bounds the variance,
    so n* stays n unless clustering inflates v past that bound.

    With p at 0 or 1 (every outcome alike) there is no variance to read how alike a
    cluster's outcomes are, and n* is k, the clusters: each counts as one outcome. No hit in
    k clusters happens at most as often as (1 - p)^k whatever a cluster's outcomes do (all of
    them miss at most as often as its first one does), so Clopper-Pearson for 0 of k covers
    at any intra-cluster correlation; n scaled, as Korn and Graubard's convention and runs
    made before 2026-12-08 had it, covered 0.41 of the time for ten cases of ten identical
    samples at a true rate of 0.05 (benchmarks/allmiss_coverage.py).
    """
    total, k = float(sizes.sum()), int(sizes.size)
    p = float(sums.sum()) / total
    if not 0 < p < 1 and not _AS_BEFORE.get():
        return float(k)
    n_eff = total
    if 0 < p < 1:
        variance = k / (k - 1) * float(((sums - p * sizes) ** 2).sum()) / total**2
        if variance > 0:
            n_eff = min(total, p * (1 - p) / variance)
    alpha = 1 - confidence
    return float(n_eff * (stdtrit(total - 1, 1 - alpha / 2) / stdtrit(k - 1, 1 - alpha / 2)) ** 2)


def outcomes_effective_n(hits: np.ndarray, sizes: np.ndarray, confidence: float = 0.95) -> float:
    """``effective_n`` of 0/1 outcomes (hits of each cluster's outcomes), at most k, the
    clusters, where fewer than :data:`MIN_CLUSTERS` clusters hold the rarer outcome.

    How alike a cluster's outcomes are is read from the clusters holding both kinds; from a
    few that reading is noise, most often too small: one hit among ten cases of ten samples
    read as 76 independent outcomes (upper bound 0.066) where no hit at all is bounded by the
    ten cases (0.308, ``effective_n``), so one harmful answer let a gate pass that none failed.
    Capped at one outcome a cluster, the bound grows with the hits, and it covers: 0.985-0.998
    in every cell with few such clusters (benchmarks/coverage_clustered.py, where Korn-Graubard
    uncapped gave 0.925 at a rate of 0.02 over 100 clusters of 8 at correlation 0.5), at two to
    three times the width where outcomes are in fact independent."""
    n_eff = effective_n(hits, sizes, confidence)
    if _AS_BEFORE.get() or rarer_clusters(hits, sizes) >= MIN_CLUSTERS:
        return n_eff
    return min(n_eff, float(sizes.size))


def under_one_outcome(n_eff: float, k: int, total: float, unit: str) -> str | None:
    """Why there is no interval where the effective sample size is under one outcome, else
    None. Clopper-Pearson (or Wilson) at a fraction of an outcome is no interval: two sources
    of ten alike variants (n* 0.027 of 20) gave [8e-119, 1.0], a bound printed to three
    figures that says nothing. It happens with few clusters (the t factor on k - 1 degrees of
    freedom: two sources of two outcomes each give n* 0.25 however their outcomes fall), more
    so where a cluster's outcomes agree; more clusters are the fix."""
    if n_eff >= 1:
        return None
    return (
        f"no interval: the {k} {unit} give a Korn-Graubard effective sample size "
        f"{n_eff:.2g} (of {total:.0f} outcomes), under one independent outcome ({k - 1} "
        f"degree{'s' if k > 2 else ''} of freedom, and a {unit.removesuffix('s')}'s outcomes "
        f"counted as alike as they show), so any bound would be meaningless; it needs more "
        f"{unit}"
    )


ONE_CLUSTER_ITEMS = {"cases": "samples", "sources": "variants"}
"""What a cluster's values are called in ``one_cluster_reason``, by the clusters' unit."""


def one_cluster_reason(total: float, unit: str) -> str:
    """Why a rate or a mean over one cluster of several values (one case's samples, one
    source's variants) has no interval.

    One cluster shows nothing of how clusters vary: its values describe that prompt, not the
    population of prompts a gate speaks for. Earlier versions gave it the interval of
    its values as if independent, labelled approximate (a rate over one case of four samples
    covered the population's rate 0.92 of the time, benchmarks/small_n_coverage.py), while
    two such cases got none (``under_one_outcome``): one case claimed more than two. One
    case of one value keeps its interval: that value is a draw from the population."""
    one = unit.removesuffix("s")
    items = ONE_CLUSTER_ITEMS.get(unit, "outcomes")
    return (
        f"no interval: one {one}; its {total:.0f} {items} show how that {one}'s answers vary, "
        f"not how {unit} do, so an interval needs at least two {unit}"
    )


def rarer_clusters(sums: np.ndarray, sizes: np.ndarray) -> int:
    """How many clusters hold the rarer outcome: the fewer of those with any value above 0 and
    those with any value below 1. A cluster-robust variance read from fewer than
    ``MIN_CLUSTERS`` of them is noise."""
    return min(int((sums > 0).sum()), int((sums < sizes).sum()))


def clustered_clopper_pearson(
    hits: Sequence[int] | np.ndarray,
    sizes: Sequence[int] | np.ndarray,
    confidence: float = 0.95,
    *,
    unit: str = "clusters",
) -> tuple[float | None, float | None, str]:
    """Clopper-Pearson for a rate over clusters of correlated outcomes: (low, high, method).

    Outcomes of one cluster (the variants of one source prompt, the samples of one case) are
    not independent: a fragile prompt flips under most operators. Counting them as independent
    makes the interval too narrow. Korn and Graubard's (1998) effective sample size fixes that:
    n* = p(1 - p) / v, with v the cluster-robust variance of the pooled rate (at most n, so
    never narrower than plain Clopper-Pearson), scaled by (t_{n-1} / t_{k-1})^2 for k clusters,
    then Clopper-Pearson with x* = p n* hits of n*; at most k where fewer than
    :data:`MIN_CLUSTERS` clusters hold the rarer outcome (``outcomes_effective_n``). With one
    outcome per cluster it *is* Clopper-Pearson. With no hits (or all) there is no variance to
    read how alike a cluster's outcomes are: it is Clopper-Pearson over the k clusters, each one
    outcome (``effective_n``), which covers however alike they are. One cluster of several
    outcomes has no interval (``one_cluster_reason``).
    """
    one_each = np.asarray(sizes)
    if one_each.size and bool((one_each == 1).all()):
        # One outcome a cluster: Clopper-Pearson, as below, without float copies of a
        # million outcomes (integer counts sum exactly in any order).
        counts = np.asarray(hits)
        successes = float(
            counts.sum(dtype=np.float64)
            if counts.dtype.kind in "biu"
            else np.asarray(counts, dtype=float).sum()
        )
        low, high = clopper_pearson(round(successes), int(one_each.size), confidence)
        return low, high, "clopper-pearson"
    x = np.asarray(hits, dtype=float)
    m = np.asarray(sizes, dtype=float)
    keep = m > 0
    x, m = x[keep], m[keep]
    total, k = float(m.sum()), int(m.size)
    if total <= 0:
        return None, None, "clopper-pearson"
    successes = float(x.sum())
    if k == total:
        low, high = clopper_pearson(round(successes), int(total), confidence)
        return low, high, "clopper-pearson"
    if k < 2:
        return None, None, one_cluster_reason(total, unit)
    alpha = 1 - confidence
    p = successes / total
    n_eff = outcomes_effective_n(x, m, confidence)
    fraction = under_one_outcome(n_eff, k, total, unit)
    if fraction is not None:
        return None, None, fraction
    x_eff = p * n_eff
    low = 0.0 if successes <= 0 else beta_ppf(alpha / 2, x_eff, n_eff - x_eff + 1)
    high = 1.0 if successes >= total else beta_ppf(1 - alpha / 2, x_eff + 1, n_eff - x_eff)
    if not 0 < successes < total and not _AS_BEFORE.get():
        return low, high, all_alike_method(k, total, unit)
    method = (
        f"clopper-pearson, clustered over {k} {unit} "
        f"(Korn-Graubard effective n {n_eff:.3g} of {total:.0f})"
    )
    # How alike a cluster's outcomes are is read from the clusters that have both kinds; with
    # few clusters holding the rarer outcome that estimate is noise, so n* is at most k there
    # (``outcomes_effective_n``), as the method says.
    rarer = rarer_clusters(x, m)
    if rarer < MIN_CLUSTERS and _AS_BEFORE.get():
        method += (
            f"; approximate: only {rarer} {unit} hold the rarer outcome "
            f"(the clustering needs >= {MIN_CLUSTERS})"
        )
    elif rarer < MIN_CLUSTERS:
        method += (
            f"; at most one outcome a {unit.removesuffix('s')}: only {rarer} {unit} hold the "
            f"rarer outcome, too few to read how alike a {unit.removesuffix('s')}'s outcomes "
            f"are (that needs >= {MIN_CLUSTERS})"
        )
    return low, high, method


def all_alike_method(k: int, total: float, unit: str) -> str:
    """The method of a clustered Clopper-Pearson interval whose outcomes are all alike: it is
    exact, and conservative however alike a cluster's outcomes are, so it is not labelled
    approximate as one read from few clusters holding the rarer outcome is."""
    return (
        f"clopper-pearson, clustered over {k} {unit} (all {total:.0f} outcomes alike, so "
        f"nothing shows how alike a {unit.removesuffix('s')}'s are: effective n {k}, one "
        f"outcome a {unit.removesuffix('s')})"
    )


def cluster_totals(
    values: Sequence[float] | np.ndarray, clusters: Sequence[Hashable]
) -> tuple[np.ndarray, np.ndarray]:
    """Per cluster (in order of first appearance): the sum of its values and how many it has.

    The one way the harness groups a case's samples (or a source's variants) before an
    interval: rates, means and comparisons all count a cluster, not a row, as independent."""
    index: dict[Hashable, int] = {}
    codes = np.fromiter((index.setdefault(c, len(index)) for c in clusters), dtype=np.intp)
    data = np.asarray(values, dtype=float)
    sums = np.bincount(codes, weights=data, minlength=len(index))
    sizes = np.bincount(codes, minlength=len(index)).astype(float)
    return sums, sizes


MIN_MEAN_CASES = 8
"""Fewer cases than this: a mean of values outside [0, 1] gets no interval. Nothing bounds
such values, so the interval must read their spread from the cases themselves, and a few cases
hide a rare mode: at 3 to 6 cases of a bimodal rating (70% near 2, 30% near 8) a t interval
covered 0.72-0.87 of the time at nominal 0.95, the percentile bootstrap 0.41-0.85, and one case
gave the bootstrap a zero-width interval (benchmarks/small_n_coverage.py). At 8 cases the t
interval covers 0.93 there and 0.92 on a skewed latency; lognormal lengths stay near 0.88 below
30 cases, which Cochran's rule labels approximate."""

BOOTSTRAP_MIN_CASES = 30
"""From this many cases on, the mean of values outside [0, 1] keeps its percentile bootstrap
(every figure there unchanged). Below it, where Cochran's rule calls any interval for a mean
approximate anyway, the t interval covers better than the bootstrap at every size and shape
measured (0.88 against 0.84 at 10 lognormal lengths, benchmarks/small_n_coverage.py)."""


def same_value_reason(cases: int) -> str:
    """Why a mean of values outside [0, 1] whose cases all have the same mean has no interval,
    at any number of cases: a zero-width interval (the bootstrap's, from 30 cases on) claims the
    mean known exactly, and a gate on its bound passed, though the cases cannot show how far
    it may lie (a 3% mode elsewhere is missed by 40 cases 30% of the time)."""
    return (
        f"no interval: all {cases} cases have the same value, so there is no variance to "
        "bound the mean by"
    )


def same_case_means(case_means: np.ndarray) -> bool:
    """Every case's mean is the same (``same_value_reason``)."""
    return bool(case_means.size) and bool((case_means == case_means[0]).all())


def small_sample_mean_interval(
    sums: np.ndarray, sizes: np.ndarray, confidence: float
) -> tuple[float | None, float | None, str]:
    """(low, high, method) for the mean of values outside [0, 1] over fewer than
    ``BOOTSTRAP_MIN_CASES`` cases with these per-case ``sums`` and ``sizes``
    (``cluster_totals``; one value a case is a size of 1 each).

    Below ``MIN_MEAN_CASES`` cases, or when every case has the same mean, there is no interval
    (None, None) and the method says why: an interval that cannot cover the true mean is not an
    interval, and a gate on its bound must not pass. Otherwise Student's t interval with the
    cluster-robust standard error of the ratio mean (sum / count) on k - 1 degrees of freedom;
    with one value a case that is the textbook t interval, s / sqrt(n)."""
    k, total = int(sizes.size), float(sizes.sum())
    counted = "one case" if k == 1 else f"{k} cases"
    if k < MIN_MEAN_CASES:
        return (
            None,
            None,
            f"no interval: {counted}; an interval for a mean of values outside [0, 1] needs "
            f"at least {MIN_MEAN_CASES} cases (benchmarks/small_n_coverage.py)",
        )
    mean = float(sums.sum()) / total
    residuals = sums - mean * sizes
    se = math.sqrt(k / (k - 1) * float((residuals**2).sum())) / total
    if se == 0:
        return None, None, same_value_reason(k)
    half = float(stdtrit(k - 1, 0.5 + confidence / 2)) * se
    method = f"t interval over {k} cases" + ("" if total == k else f" ({total:.0f} values)")
    caveat = cochran_caveat(sums / sizes)
    return mean - half, mean + half, f"{method} ({caveat})" if caveat else method


def mean_interval(
    values: Sequence[float] | np.ndarray,
    *,
    seed: int,
    resamples: int = 2000,
    confidence: float = 0.95,
    clusters: Sequence[Hashable] | None = None,
) -> tuple[float | None, float | None, str]:
    """The interval the harness reports for a mean: (low, high, method).

    Values in [0, 1] (0/1 outcomes, probabilities) get an interval made for proportions
    (the bootstrap gives [0, 0] when a rare high score is absent from the sample):
    Clopper-Pearson for 0/1 values, the conservative score interval for others. Other values
    get the seeded bootstrap, labelled approximate where Cochran's rule says it is; below
    ``BOOTSTRAP_MIN_CASES`` cases a t interval, and below ``MIN_MEAN_CASES`` none
    (``small_sample_mean_interval``: low and high are None and the method says why); none
    either for values beyond ``LARGEST_VALUE``, whose arithmetic overflows.

    ``clusters`` (one key per value, e.g. the case id) marks values that are not independent
    (a case's samples): where a cluster holds several values the interval is clustered, exactly
    as a rate's is (``clustered_clopper_pearson``; for other values a bootstrap over clusters).
    With one value per cluster it is the unclustered interval, unchanged.
    """
    data = np.asarray(values, dtype=float)
    huge = too_large_reason(data)
    if huge is not None:
        return None, None, f"no interval: {huge}"
    if clusters is not None and data.size:
        sums, sizes = cluster_totals(data, clusters)
        if sizes.size < data.size:
            from .clustered import clustered_mean_interval

            return clustered_mean_interval(
                data,
                sums,
                sizes,
                seed=seed,
                resamples=resamples,
                confidence=confidence,
            )
    if is_unit_interval(data):
        if np.isin(data, (0.0, 1.0)).all():
            low, high = clopper_pearson(int(data.sum()), data.size, confidence)
            return low, high, "clopper-pearson"
        low, high = wilson_mean(float(data.mean()), data.size, confidence)
        return low, high, "wilson (values in [0, 1], conservative)"
    if 0 < data.size < BOOTSTRAP_MIN_CASES:
        return small_sample_mean_interval(data, np.ones(data.size), confidence)
    if same_case_means(data):
        return None, None, same_value_reason(data.size)
    low, high = bootstrap_ci(data, np.mean, seed=seed, resamples=resamples, confidence=confidence)
    method = f"bootstrap(seed={seed}, resamples={resamples})"
    caveat = cochran_caveat(data) if data.size else None
    return low, high, f"{method} ({caveat})" if caveat else method
