"""Significance tests for baseline-versus-candidate comparisons.

Each test returns the difference (candidate minus baseline), its confidence interval and a
two-sided p-value, and names its method so a report can say how the figure was obtained:

- rates, unpaired: pooled two-proportion z-test, Newcombe's hybrid-score interval;
- any rate or mean, paired by case: case-resampling bootstrap of the difference of the two
  ratio estimators (seeded), p-value by inverting the percentile interval, or, where at most
  ``EXACT_MAX_CHANGED`` cases differ in value between the runs, the exact sign-flip test's
  over them (always so below ``MIN_DIFFERING``, where the bootstrap's interval is too narrow);
- means, unpaired: Welch's t-test and interval;
- rates and means, unpaired, with several samples a case: the same tests with a case as the
  unit (for rates a score t-test at the pooled rate with each run's cluster-robust variance
  around it and the interval inverting it; Welch's test with each mean's cluster-robust
  variance);
- figures with only a reported interval: normal approximation from the interval half-widths.

Holm's step-down correction controls the family-wise error rate across the metrics compared.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ._special import norm_sf, stdtrit, t_sf
from .intervals import resample_indices, wilson, z_value

MIN_DIFFERING = 10
"""Fewer matched cases than this whose value differs between runs: the paired interval is
approximate."""

EXACT_MAX_CHANGED = 14
"""Most cases that differ between the runs for which the paired p-value is the exact
sign-flip test's (``sign_flip_p_value``: 2^14 swaps, a few milliseconds): with so few, the
bootstrap's p-value is too small (four cases of 200 changed one way gave 0.04, where chance
alone does that one time in eight) and fired a nightly gate on noise."""


@dataclass
class TestResult:
    """The outcome of one two-sample test."""

    __test__ = False  # not a pytest class, despite the name

    diff: float
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    method: str
    n_baseline: int
    n_candidate: int
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


MIN_CLUSTERS = 2
"""Fewest cases a run may have for ``clustered_two_proportion`` to test it: its
cluster-robust variance is undefined over one (measured there: the function's docstring).
Its refusal says "two": change both together."""

assert MIN_DIFFERING <= EXACT_MAX_CHANGED + 1  # every paired test of few differing cases is exact


def two_proportion(
    successes_a: float,
    n_a: float,
    successes_b: float,
    n_b: float,
    *,
    confidence: float = 0.95,
    method: str = "two-proportion z-test, Newcombe interval",
    rows: tuple[int, int] | None = None,
) -> TestResult:
    """Rate B minus rate A: pooled z-test p-value, Newcombe (method 10) interval.

    Newcombe's interval combines the two Wilson intervals, so it behaves at rates near 0 or 1,
    where the Wald interval collapses to zero width (a typical toxicity rate is near 0). The
    counts may be effective ones (``clustered_two_proportion``); ``rows`` are then the runs'
    row counts, reported as their n.
    """
    if n_a <= 0 or n_b <= 0:
        raise ValueError("both samples need n > 0")
    p_a, p_b = successes_a / n_a, successes_b / n_b
    diff = p_b - p_a
    l_a, u_a = _bounds(wilson(successes_a, n_a, confidence))
    l_b, u_b = _bounds(wilson(successes_b, n_b, confidence))
    low = diff - math.sqrt((p_b - l_b) ** 2 + (u_a - p_a) ** 2)
    high = diff + math.sqrt((u_b - p_b) ** 2 + (p_a - l_a) ** 2)
    pooled = (successes_a + successes_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    # se == 0: both rates are 0 (or both 1), so there is no evidence of any difference.
    p_value = 1.0 if se == 0 else 2 * norm_sf(abs(diff) / se)
    return TestResult(
        diff=diff,
        ci_low=max(-1.0, low),
        ci_high=min(1.0, high),
        p_value=p_value,
        method=method,
        n_baseline=int(n_a) if rows is None else rows[0],
        n_candidate=int(n_b) if rows is None else rows[1],
        confidence=confidence,
    )


def clustered_two_proportion(
    sums_a: np.ndarray,
    sizes_a: np.ndarray,
    sums_b: np.ndarray,
    sizes_b: np.ndarray,
    *,
    confidence: float = 0.95,
) -> TestResult:
    """Rate B minus rate A over cases of several outcomes each (per case: its hits and
    outcomes), with the case as the unit: a score-type t-test at the pooled rate and the
    interval that inverts it.

    Under the null both runs share one rate, estimated by the pooled rate p0 (both runs' hits
    over both runs' outcomes). Each run's rate has its cluster-robust variance read from its
    own cases' residuals around p0, k / (k - 1) * sum (hits - p0 * outcomes)^2 / n^2, their
    sum at least the binomial variance at p0, p0 (1 - p0) (1 / n_a + 1 / n_b) (as
    ``effective_n`` never counts more outcomes than there are), and the difference over its
    standard error is referred to Student's t on the Welch-Satterthwaite degrees of freedom
    from each run's k - 1 (``clustered_welch``'s, and Korn and Graubard's k - 1 for one run).
    It is the cluster-level form of the pooled two-proportion z-test (with one outcome a case
    and runs of one size its variance is the z-test's, times k / (k - 1)), and Donner and
    Klar's (2000) adjusted chi-square for cluster-randomised trials (the binomial variance at
    the pooled rate, inflated by the clustering) with each run's inflation read from its own
    cases, so runs of unlike sizes (three cases of ten samples against thirty of one) are not
    given one design effect. The interval, difference plus or minus the t quantile times
    that standard error (Miettinen's test-based interval), holds 0 exactly where the test
    does not reject at 1 - ``confidence``, so what compare prints beside a verdict never
    contradicts it. Where both runs are all hits or all misses there is no variance to read:
    p is 1 and each run's rate is bounded by its cases alone (``_no_variance``).

    Why not each run's own variance (Wald), as this function did (each run counted at its
    ``effective_n``, a pooled z-test between them): a run with no hit has a variance of 0
    there, so it counted at its full n and any hits in the other run read as a change. Under
    the null (both runs' cases from one beta-binomial population; rates 0.02, 0.1, 0.3, 0.5;
    intra-case correlation 0, 0.2, 0.5; 2, 3, 5, 10, 20, 50 cases a run of 1, 3, 10 samples;
    2,000 seeded pairs a setting; alpha 0.05) it raised false alarms in up to 0.26 of pairs
    (rate 0.02, ICC 0.5, 20 cases of 10), significantly above 0.05 in 27 of the 216
    settings; at rate 0.1, ICC 0.5, 10 cases of 10 in 0.15, and in 0.82 of the pairs where
    one run had no hit. This test: at most 0.057 (rate 0.5, ICC 0.5, 50 cases of 3, where the
    old one's is 0.058; 0.047 for both in 20,000 pairs), significantly above 0.05 in none;
    0.006 at rate 0.1, ICC 0.5, 10 cases of 10 (0.03 where one run had no hit). Over runs of
    unlike designs (3 x 10 against 30 x 10, 20 x 1 against 5 x 10, 5 x 10 against 50 x 2,
    2 x 10 against 20 x 3, case sizes drawn from 1-10 or 1-20) at most 0.051, where the old
    one's reached 0.17 (a design effect pooled over both runs reached 0.13 there). Power at
    0.1 against 0.25 where the old test held its level, this test's against the old one's:
    0.93 against 0.93 at 50 cases of 3, ICC 0; 0.41 against 0.43 at 20 of 3, ICC 0.2; 0.19
    against 0.25 at 10 of 3, ICC 0 (a mean loss of 0.03 over such settings); it is lower
    mostly where the old test's power came from the zero variance (0.02 against 0.1 at ICC
    0.5, 20 cases of 3: 0.13 against 0.39). The interval covered the true difference (shifts
    above and none; 3 or 10 samples a case; 1,000 draws) in 0.86 to 1.0 of draws, under 0.93
    in 4 of 144 settings (the Newcombe interval it replaces: 0.87 to 1.0, 6 of 144). With few
    cases it is conservative (none of 2,000 null pairs rejected with two or three cases a
    run; two cases a run that differ wholly give t = sqrt(2), p 0.29, three p 0.12, where an
    exact permutation of the cases gives 0.10). Scratch simulations; the repository's
    ``benchmarks/compare_false_alarms.py`` measures four more designs (0.037 to 0.049).

    A ValueError, no test, where a run has fewer than ``MIN_CLUSTERS`` cases, as
    ``clustered_welch``: the cluster-robust variance needs two clusters to exist (its
    k / (k - 1) factor, and k - 1 degrees of freedom), and one case's samples show how that
    prompt's answers vary, not how prompts do. Such a run counted at its samples' total, as
    if independent: one prompt 0/4 against another 4/4 read p = 0.0047 (false alarms up to
    0.48 by simulation)."""
    for sizes in (sizes_a, sizes_b):
        if sizes.size < MIN_CLUSTERS:
            raise ValueError(
                "the clustered two-proportion test needs at least two cases per sample (a run "
                f"has {sizes.size}): one case's samples show how that case's answers vary, not "
                "how cases do"
            )
    k_a, k_b = int(sizes_a.size), int(sizes_b.size)
    n_a, n_b = float(sizes_a.sum()), float(sizes_b.sum())
    hits = float(sums_a.sum()) + float(sums_b.sum())
    pooled = hits / (n_a + n_b)
    rows = (int(n_a), int(n_b))
    if not 0 < pooled < 1:
        return _no_variance(sums_a, sizes_a, sums_b, sizes_b, confidence, rows)
    diff = float(sums_b.sum()) / n_b - float(sums_a.sum()) / n_a
    v_a = k_a / (k_a - 1) * float(((sums_a - pooled * sizes_a) ** 2).sum()) / n_a**2
    v_b = k_b / (k_b - 1) * float(((sums_b - pooled * sizes_b) ** 2).sum()) / n_b**2
    se = math.sqrt(max(v_a + v_b, pooled * (1 - pooled) * (1 / n_a + 1 / n_b)))
    if v_a + v_b > 0:
        df = (v_a + v_b) ** 2 / (v_a**2 / (k_a - 1) + v_b**2 / (k_b - 1))
    else:  # every case at the pooled rate: the binomial floor, on all the cases' freedom
        df = float(k_a + k_b - 2)
    crit = float(stdtrit(df, 0.5 + confidence / 2))
    return TestResult(
        diff=diff,
        ci_low=max(-1.0, diff - crit * se),
        ci_high=min(1.0, diff + crit * se),
        p_value=min(1.0, 2 * t_sf(abs(diff) / se, df)),
        method=(
            f"score t-test at the pooled rate over {k_a} and {k_b} cases (cluster-robust "
            f"variances around it, {df:.3g} degrees of freedom), test-based interval"
        ),
        n_baseline=rows[0],
        n_candidate=rows[1],
        confidence=confidence,
    )


def _no_variance(
    sums_a: np.ndarray,
    sizes_a: np.ndarray,
    sums_b: np.ndarray,
    sizes_b: np.ndarray,
    confidence: float,
    rows: tuple[int, int],
) -> TestResult:
    """``clustered_two_proportion`` where both runs are all misses (or all hits): no evidence
    of a difference (p 1), and each run's rate bounded by its k cases alone, u = 1 - (alpha /
    2)^(1 / k), Clopper-Pearson's bound for 0 of k: the difference lies in [-u_a, u_b] (all
    hits: [-u_b, u_a]).

    Why the cases and not the samples: no hit shows nothing of how a case's samples agree. A
    run's rate p leaves a case without a hit with probability E[(1 - r)^m] over its cases'
    rates r, at most 1 - p (cases that always or never fail), so k cases without a hit happen
    at most (1 - p)^k of the time, under alpha / 2 for p above u whatever the correlation. The
    interval this replaces, Newcombe's at each run's Korn-Graubard effective n (the samples
    counted as independent, no variance being there to read), gave [-0.048, 0.048] for 10
    cases of 10 samples: baseline rate 0, candidate 0.05, it covered in 0.41 of draws at
    intra-case correlation 1 and 0.67 at 0.5 (2,000 draws; benchmarks/coverage.py's "compare
    rates, clustered" cells measure the replacement). With two cases it is narrower than the
    old one (0.842 against 0.876 for two of ten samples), with many it is wider: the price of
    not knowing the correlation."""
    alpha = 1 - confidence
    k_a, k_b = int(sizes_a.size), int(sizes_b.size)
    u_a, u_b = (1 - (alpha / 2) ** (1 / k) for k in (k_a, k_b))
    hits = float(sums_a.sum()) > 0  # both runs all hits (pooled 1), else both all misses
    low, high = (-u_b, u_a) if hits else (-u_a, u_b)
    return TestResult(
        diff=float(sums_b.sum()) / float(sizes_b.sum())
        - float(sums_a.sum()) / float(sizes_a.sum()),
        ci_low=low,
        ci_high=high,
        p_value=1.0,
        method=(
            f"no difference to test over {k_a} and {k_b} cases (every outcome "
            f"{'a hit' if hits else 'a miss'}), each run's rate bounded by its cases "
            "(Clopper-Pearson for none of k cases otherwise, whatever the correlation of a "
            "case's samples)"
        ),
        n_baseline=rows[0],
        n_candidate=rows[1],
        confidence=confidence,
    )


def _bounds(interval: tuple[float | None, float | None]) -> tuple[float, float]:
    low, high = interval
    assert low is not None and high is not None  # n > 0 was checked
    return low, high


def welch(
    values_a: Sequence[float], values_b: Sequence[float], *, confidence: float = 0.95
) -> TestResult:
    """Mean B minus mean A with Welch's unequal-variance t-test and interval."""
    a = np.asarray(values_a, dtype=float)
    b = np.asarray(values_b, dtype=float)
    if a.size < 2 or b.size < 2:
        raise ValueError("Welch's test needs at least two values per sample")
    diff = float(b.mean() - a.mean())
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    return _welch(diff, (va, a.size), (vb, b.size), "Welch t-test", (a.size, b.size), confidence)


def clustered_welch(
    sums_a: np.ndarray,
    sizes_a: np.ndarray,
    sums_b: np.ndarray,
    sizes_b: np.ndarray,
    *,
    confidence: float = 0.95,
) -> TestResult:
    """``welch`` for means over cases of several values each (per case: the sum of its values
    and how many): each mean (sum over count) with its cluster-robust variance, k - 1 degrees
    of freedom for k cases. With one value a case it is Welch's test; with equal counts a case,
    Welch's test on the case means."""
    parts = []
    for sums, sizes in ((sums_a, sizes_a), (sums_b, sizes_b)):
        k, total = int(sizes.size), float(sizes.sum())
        if k < 2:
            raise ValueError("Welch's test needs at least two cases per sample")
        mean = float(sums.sum()) / total
        parts.append((mean, k / (k - 1) * float(((sums - mean * sizes) ** 2).sum()) / total**2, k))
    (mean_a, va, ka), (mean_b, vb, kb) = parts
    return _welch(
        mean_b - mean_a,
        (va, ka),
        (vb, kb),
        f"Welch t-test over {ka} and {kb} cases (cluster-robust variances)",
        (int(sizes_a.sum()), int(sizes_b.sum())),
        confidence,
    )


def _welch(
    diff: float,
    a: tuple[float, int],
    b: tuple[float, int],
    method: str,
    rows: tuple[int, int],
    confidence: float,
) -> TestResult:
    """Welch's test of ``diff`` from each mean's variance and its number of units."""
    (va, ka), (vb, kb) = a, b
    se = math.sqrt(va + vb)
    if se == 0:
        same = diff == 0
        return TestResult(
            diff=diff,
            ci_low=diff,
            ci_high=diff,
            p_value=1.0 if same else 0.0,
            method=f"{method} (no variance)",
            n_baseline=rows[0],
            n_candidate=rows[1],
            confidence=confidence,
        )
    df = (va + vb) ** 2 / (va**2 / (ka - 1) + vb**2 / (kb - 1))
    t = diff / se
    crit = float(stdtrit(df, 0.5 + confidence / 2))
    return TestResult(
        diff=diff,
        ci_low=diff - crit * se,
        ci_high=diff + crit * se,
        p_value=2 * t_sf(abs(t), df),
        method=method,
        n_baseline=rows[0],
        n_candidate=rows[1],
        confidence=confidence,
    )


def paired_bootstrap(
    base: Sequence[tuple[float, int]],
    cand: Sequence[tuple[float, int]],
    *,
    seed: int = 0,
    resamples: int = 2000,
    confidence: float = 0.95,
    outcomes: bool = False,
) -> TestResult:
    """Difference of two ratio estimators, resampling matched cases together.

    ``base[i]`` and ``cand[i]`` are (sum of row values, number of rows) for the same case i in
    each run, so a case with several samples is one resampling unit (its samples are not
    independent). The point estimate equals the difference of the runs' overall values.
    ``outcomes``: every row value is a 0/1 outcome by its scale (a rate's), so where no case
    differs the exact bound ``none_differ_bound`` holds; values that merely lie in [0, 1] in
    these runs (a mean of scores on [-1, 1]) do not give it.
    """
    if len(base) != len(cand) or not base:
        raise ValueError("paired bootstrap needs the same, non-empty list of cases in both runs")
    sums_a = np.array([s for s, _ in base], dtype=float)
    cnt_a = np.array([c for _, c in base], dtype=float)
    sums_b = np.array([s for s, _ in cand], dtype=float)
    cnt_b = np.array([c for _, c in cand], dtype=float)
    if cnt_a.sum() == 0 or cnt_b.sum() == 0:
        raise ValueError("paired bootstrap needs rows in both runs")
    diff = float(sums_b.sum() / cnt_b.sum() - sums_a.sum() / cnt_a.sum())
    rng = np.random.default_rng(seed)
    parts = []
    for idx in resample_indices(rng, len(base), resamples):
        with np.errstate(invalid="ignore", divide="ignore"):
            parts.append(
                sums_b[idx].sum(1) / cnt_b[idx].sum(1) - sums_a[idx].sum(1) / cnt_a[idx].sum(1)
            )
    boot = np.concatenate(parts)
    boot = boot[np.isfinite(boot)]
    alpha = 1 - confidence
    low, high = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
    # Invert the percentile interval: the smallest two-sided level at which 0 lies outside it.
    below = (np.count_nonzero(boot <= 0) + 1) / (boot.size + 1)
    above = (np.count_nonzero(boot >= 0) + 1) / (boot.size + 1)
    p_value = min(1.0, 2 * min(below, above))
    # With few cases whose value differs between the runs the percentile interval is too
    # narrow (0.875 coverage with 2-3 such cases of 50: benchmarks/coverage.py): say so.
    # A case with rows in one run only (its requests failed in the other) is not matched, and
    # neither differs nor agrees: counted as both, "over 60 matched cases" hid 6 lost cases.
    both = (cnt_a > 0) & (cnt_b > 0)
    matched, alone = int(both.sum()), int(np.count_nonzero((cnt_a > 0) != (cnt_b > 0)))
    differ = int(np.count_nonzero(sums_a[both] / cnt_a[both] != sums_b[both] / cnt_b[both]))
    # Below MIN_DIFFERING the exact test always applies (it swaps only the cases that differ),
    # so no verdict rests on the bootstrap where its interval's coverage falls short.
    exact = sign_flip_p_value(sums_a, cnt_a, sums_b, cnt_b)
    flipped = ""
    if exact is not None:
        p_value, changed = exact
        rests = " (the verdict rests on it, not on the interval)" if differ < MIN_DIFFERING else ""
        flipped = f"; {SIGN_FLIP} over the {changed} cases that differ{rests}"
    caveat = (
        f"; approximate: only {differ} cases differ between the runs (needs >= {MIN_DIFFERING})"
        if differ < MIN_DIFFERING
        else ""
    )
    bounds: tuple[float | None, float | None] = (float(low), float(high))
    if differ == 0 and matched and outcomes:
        bounds = none_differ_bound(diff, matched, confidence)
        caveat += (
            f"; interval: exact bound for 0 of {matched} matched cases differ (0/1 outcomes), "
            "the bootstrap's being [0, 0]"
        )
    elif differ == 0 and matched:
        # Every resample alike gives [0, 0], a certainty no sample of cases gives; without a
        # known range for the values (a rate's 0/1) nothing bounds how far cases that would
        # differ could move the difference.
        bounds = (None, None)
        caveat += (
            f"; no interval: none of the {matched} matched cases differs between the runs, and "
            "the values have no known range to bound a difference by"
        )
    unmatched = f", and {alone} cases with rows in one run only" if alone else ""
    return TestResult(
        diff=diff,
        ci_low=bounds[0],
        ci_high=bounds[1],
        p_value=float(p_value),
        method=f"paired bootstrap over {matched} matched cases{unmatched} (seed={seed}, "
        f"resamples={resamples}){flipped}{caveat}",
        n_baseline=int(cnt_a.sum()),
        n_candidate=int(cnt_b.sum()),
        confidence=confidence,
    )


def none_differ_bound(diff: float, cases: int, confidence: float) -> tuple[float, float]:
    """The interval of a paired difference where none of ``cases`` matched cases differs
    between the runs, their values in [0, 1] (rates, scores): every resample gives 0, so the
    bootstrap's interval was [0, 0], as if the runs could not differ.

    A case's difference lies in [-1, 1]; the share q of cases that would differ is at most
    u = 1 - (alpha / 2)^(1 / k) (Clopper-Pearson's bound for 0 of k, one side at alpha / 2),
    and those move the difference by at most q (1 - diff) up and q (1 + diff) down. It misses
    only where q > u and yet no case of k differed, (1 - q)^k < alpha / 2. Coverage:
    benchmarks/coverage.py's "compare rates paired, rare change" cells."""
    u = 1 - ((1 - confidence) / 2) ** (1 / cases)
    return max(-1.0, diff - (1 + diff) * u), min(1.0, diff + (1 - diff) * u)


SIGN_FLIP = "p-value by the exact sign-flip test"
"""The words a paired test's method holds where its p-value is ``sign_flip_p_value``'s: its
bootstrap interval may then miss 0 beside a verdict of no change, and the method says why."""


def sign_flip_p_value(
    sums_a: np.ndarray, cnt_a: np.ndarray, sums_b: np.ndarray, cnt_b: np.ndarray
) -> tuple[float, int] | None:
    """The exact two-sided p-value of a paired difference, and how many cases differ; None
    when more than ``EXACT_MAX_CHANGED`` do.

    With no difference between the runs, which run a case's value (its mean over its rows)
    came from is a coin's toss: every way of swapping the two runs' values of the cases whose
    values differ is as likely as the one observed, and the p-value is the share of those
    swaps whose difference is at least as far from none. The difference is the cases' value
    differences weighted by their rows (the mean of the two runs' rows of each case): with
    the same rows in both runs, the difference of the two runs' figures. How many rows a
    case has in each run (a sample that errored in one) is kept out of the swaps, as it is no
    evidence of the metric's change: swapped with the values (and with each run's own rows
    as the weights), every swap that moved a lost row read "nearer none", so four cases
    flipping one way beside ten cases a sample short read p = 0.0001 (a regression) where
    chance alone does it one time in eight. The level is exact where each changed case has
    as many rows in both runs; where one is a sample short, its value there is a mean of fewer
    rows, taken as exchangeable with the other run's (an approximation no benchmark here
    measures). A case with rows in one run only has no value to swap. The observed
    arrangement is one of the swaps, so the p-value is never 0."""
    matched = (cnt_a > 0) & (cnt_b > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        gaps = np.where(
            matched, sums_b / np.where(matched, cnt_b, 1) - sums_a / np.where(matched, cnt_a, 1), 0
        )
    changed = np.flatnonzero(matched & (gaps != 0))
    k = int(changed.size)
    if k > EXACT_MAX_CHANGED:
        return None
    weights = (cnt_a + cnt_b)[changed] / 2
    moved = gaps[changed] * weights / float(((cnt_a + cnt_b)[matched] / 2).sum())
    observed = float(moved.sum())
    signs = 1 - 2 * ((np.arange(2**k)[:, None] >> np.arange(k)) & 1)
    swapped = signs @ moved
    # nearer none than observed, with room for rounding
    nearer = np.abs(swapped) < abs(observed) * (1 - 1e-9) - 1e-12
    return float(np.count_nonzero(~nearer)) / 2**k, k


def from_intervals(
    value_a: float,
    low_a: float,
    high_a: float,
    n_a: int,
    value_b: float,
    low_b: float,
    high_b: float,
    n_b: int,
    *,
    confidence_a: float = 0.95,
    confidence_b: float = 0.95,
    confidence: float = 0.95,
) -> TestResult:
    """Normal approximation when only each run's value and interval are known.

    The standard error of each value is its interval's width over ``2 z``. Coarse for skewed
    intervals, but it lets quantiles and plugin metrics be compared at all.
    """
    se_a = (high_a - low_a) / (2 * z_value(confidence_a))
    se_b = (high_b - low_b) / (2 * z_value(confidence_b))
    diff = value_b - value_a
    se = math.sqrt(max(se_a, 0.0) ** 2 + max(se_b, 0.0) ** 2)
    if se == 0:
        p_value = 1.0 if diff == 0 else 0.0
        low = high = diff
    else:
        p_value = 2 * norm_sf(abs(diff) / se)
        z = z_value(confidence)
        low, high = diff - z * se, diff + z * se
    return TestResult(
        diff=diff,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        method="normal approximation from the reported intervals",
        n_baseline=n_a,
        n_candidate=n_b,
        confidence=confidence,
    )


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm-adjusted p-values, in the input order; None (untested) stays None.

    Step-down: the k-th smallest of m p-values is multiplied by (m - k + 1), and adjusted
    values are made non-decreasing, so "adjusted p < alpha" is Holm's rejection rule.
    """
    indexed = [(p, i) for i, p in enumerate(p_values) if p is not None]
    m = len(indexed)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(indexed)):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted
