"""An independent recomputation of a run's published figures from its ``results.jsonl``.

It follows the documented definitions (README "Metrics" and "Gates", docs/FORMATS.md, docs/
bias-robustness.md) with numpy and scipy, and shares no code with ``assurance_harness``: the
metrics are written as plain Python over the row dicts, so a fault in the expression engine,
the grouping or the intervals cannot agree with itself here. Intervals are recomputed where the
docs give a closed form (one sample a case: Clopper-Pearson for rates and 0/1 means, the
conservative score (Wilson) interval for other means of values in [0, 1], Student's t between 8
and 29 cases, order statistics for quantiles, a bound at the sample's extreme only where it
covers 90% of the time; with several samples a case, the same at Korn and Graubard's effective
sample size, and the t interval with the cluster-robust standard error). A bootstrap interval
(means of values outside [0, 1] from 30 cases) is checked against a percentile bootstrap of our
own, of many more resamples, within Monte Carlo tolerance. ``disparity`` as a ratio, relative
to the overall figure or within strata is checked on its point, n and groups' figures.
Elsewhere only the point and n are checked, and that a bound is absent where the docs say none
can be made.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

Row = dict[str, Any]
Getter = Callable[[Row], Any]


@dataclass
class Figure:
    """One recomputed figure: the point, n and, where a closed form exists, the interval
    (``closed`` false: the bounds are not checked, only whether there are any)."""

    value: float | None
    n: int
    low: float | None = None
    high: float | None = None
    closed: bool = False
    groups: dict[str, Figure] = field(default_factory=dict)
    no_group: int = 0
    tolerance: float = 0.0
    """Bounds checked within this much of the interval's width (a bootstrap's Monte Carlo
    error); 0: to float precision."""
    details: dict[str, Any] = field(default_factory=dict)
    """Figures in ``details`` recomputed too: name -> (value, absolute tolerance)."""


def scored(scorer: str, name: str) -> Getter:
    """``<scorer>.<field>``: null on a failed request (no scores) or a missing field."""
    return lambda row: ((row.get("scores") or {}).get(scorer) or {}).get(name)


def clopper_pearson(k: int, n: int, confidence: float) -> tuple[float, float]:
    alpha = 1 - confidence
    low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def wilson(p: float, n: int, confidence: float) -> tuple[float, float]:
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if p == 0 else max(0.0, centre - half)
    high = 1.0 if p == 1 else min(1.0, centre + half)
    return low, high


def one_sample_a_case(rows: list[Row]) -> bool:
    return len({r["case_id"] for r in rows}) == len(rows)


def case_totals(rows: list[Row], values: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Per case (in order of first appearance): the sum of its values and how many."""
    sums: dict[str, list[float]] = {}
    for row, v in zip(rows, values, strict=True):
        sums.setdefault(str(row["case_id"]), []).append(v)
    return (
        np.array([sum(v) for v in sums.values()], dtype=float),
        np.array([len(v) for v in sums.values()], dtype=float),
    )


def korn_graubard_n(sums: np.ndarray, sizes: np.ndarray, confidence: float) -> float:
    """Korn and Graubard's (1998) effective sample size of a ratio mean over k clusters:
    p(1 - p) / v with v the cluster-robust (linearised) variance, at most n, times
    (t_{n-1} / t_{k-1})^2; with every value 0 (or 1) k, the clusters, unscaled: then nothing
    shows how alike a cluster's values are, and 0 of k clusters bounds the rate at any
    correlation (README "Metrics")."""
    n, k = float(sizes.sum()), sizes.size
    p = float(sums.sum()) / n
    if p in (0.0, 1.0):
        return float(k)
    n_eff = n
    if 0 < p < 1:
        v = k / (k - 1) * float(np.sum((sums - p * sizes) ** 2)) / n**2
        if v > 0:
            n_eff = min(n, p * (1 - p) / v)
    q = 0.5 + confidence / 2
    return n_eff * (float(stats.t.ppf(q, n - 1)) / float(stats.t.ppf(q, k - 1))) ** 2


def at_most_one_a_case(sums: np.ndarray, sizes: np.ndarray, n_eff: float) -> float:
    """A rate's effective sample size where fewer than 8 cases hold the rarer outcome (some hit
    and some miss in the fewer of: cases with a hit, cases with a miss): at most one outcome a
    case, as how alike a case's samples are cannot be read from so few (README "Metrics")."""
    rarer = min(int((sums > 0).sum()), int((sums < sizes).sum()))
    return min(n_eff, float(sizes.size)) if rarer < 8 else n_eff


def clustered_proportion(
    sums: np.ndarray, sizes: np.ndarray, confidence: float, *, binary: bool
) -> tuple[float | None, float | None]:
    """Clopper-Pearson (0/1 values) or the score interval (other values in [0, 1]) at the
    effective sample size. None over one case of several values (README "Metrics": they show
    how that case's answers vary, not how cases do) and below one effective outcome (a bound
    from a fraction of an outcome says nothing)."""
    if sizes.size < 2:
        return None, None
    n = float(sizes.sum())
    p = float(sums.sum()) / n
    n_eff = korn_graubard_n(sums, sizes, confidence)
    if binary:
        n_eff = at_most_one_a_case(sums, sizes, n_eff)
    if n_eff < 1 and not (sizes == 1).all():
        return None, None
    if not binary:
        return wilson(p, n_eff, confidence)
    alpha = 1 - confidence
    x = p * n_eff
    low = 0.0 if p == 0 else float(stats.beta.ppf(alpha / 2, x, n_eff - x + 1))
    high = 1.0 if p == 1 else float(stats.beta.ppf(1 - alpha / 2, x + 1, n_eff - x))
    return low, high


def cluster_t(sums: np.ndarray, sizes: np.ndarray, confidence: float) -> tuple[float, float]:
    """Student's t over k cases with the cluster-robust standard error of the ratio mean."""
    k, n = sizes.size, float(sizes.sum())
    mean = float(sums.sum()) / n
    se = math.sqrt(k / (k - 1) * float(np.sum((sums - mean * sizes) ** 2))) / n
    half = float(stats.t.ppf(0.5 + confidence / 2, k - 1)) * se
    return mean - half, mean + half


BOOTSTRAP_TOLERANCE = 0.15
"""A bootstrap bound of 2,000 resamples against ours of 20,000: within 15% of the width."""


def percentile_bootstrap(
    sums: np.ndarray, sizes: np.ndarray, confidence: float, resamples: int = 20_000
) -> tuple[float, float]:
    """Our own percentile bootstrap of the ratio mean over resampled cases (seeded apart from
    the harness's, so only the Monte Carlo error is shared, not the draws)."""
    rng = np.random.default_rng(20_240_601)
    idx = rng.integers(0, sizes.size, size=(resamples, sizes.size))
    means = sums[idx].sum(axis=1) / sizes[idx].sum(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return float(low), float(high)


def rate(rows: list[Row], condition: Getter, confidence: float = 0.95) -> Figure:
    """Share of rows where the condition holds; rows where it is null do not count."""
    outcomes = [bool(v) for v in map(condition, rows) if v is not None]
    n, k = len(outcomes), sum(outcomes)
    if n == 0:
        return Figure(None, 0)
    counted = [r for r in rows if condition(r) is not None]
    if one_sample_a_case(counted):
        low, high = clopper_pearson(k, n, confidence)
        return Figure(k / n, n, low, high, closed=True)
    sums, sizes = case_totals(counted, [float(o) for o in outcomes])
    low, high = clustered_proportion(sums, sizes, confidence, binary=True)
    return Figure(k / n, n, low, high, closed=True)


def finite(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def mean(rows: list[Row], value: Getter, confidence: float = 0.95) -> Figure:
    """Mean of the finite numeric values; an interval as README's "Metrics" says."""
    counted = [(r, finite(value(r))) for r in rows]
    counted = [(r, v) for r, v in counted if v is not None]
    data = np.array([v for _, v in counted], dtype=float)
    n = int(data.size)
    if n == 0:
        return Figure(None, 0)
    point = float(data.mean())
    if not one_sample_a_case([r for r, _ in counted]):
        return clustered_mean(point, [r for r, _ in counted], data, confidence)
    if ((data >= 0) & (data <= 1)).all():
        if np.isin(data, (0.0, 1.0)).all():
            low, high = clopper_pearson(int(data.sum()), n, confidence)
        else:
            low, high = wilson(point, n, confidence)
        return Figure(point, n, low, high, closed=True)
    if n < 8 or float(data.std()) == 0:
        return Figure(point, n, None, None, closed=True)  # the docs: no interval
    if n < 30:
        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * float(data.std(ddof=1))
        half /= math.sqrt(n)
        return Figure(point, n, point - half, point + half, closed=True)
    low, high = percentile_bootstrap(data, np.ones(n), confidence)
    return Figure(point, n, low, high, closed=True, tolerance=BOOTSTRAP_TOLERANCE)


def clustered_mean(point: float, rows: list[Row], data: np.ndarray, confidence: float) -> Figure:
    """A mean over cases of several samples: each case one unit (README "Metrics")."""
    n = int(data.size)
    sums, sizes = case_totals(rows, list(data))
    k = sizes.size
    if ((data >= 0) & (data <= 1)).all():
        binary = bool(np.isin(data, (0.0, 1.0)).all())
        low, high = clustered_proportion(sums, sizes, confidence, binary=binary)
        return Figure(point, n, low, high, closed=True)
    case_means = sums / sizes
    if k < 8 or bool((case_means == case_means[0]).all()):
        return Figure(point, n, None, None, closed=True)  # the docs: no interval
    if k < 30:
        low, high = cluster_t(sums, sizes, confidence)
        return Figure(point, n, low, high, closed=True)
    low, high = percentile_bootstrap(sums, sizes, confidence)
    return Figure(point, n, low, high, closed=True, tolerance=BOOTSTRAP_TOLERANCE)


def quantile(rows: list[Row], value: Getter, q: float, confidence: float = 0.95) -> Figure:
    """The q quantile (linear interpolation between order statistics) with the order-statistic
    interval (README "Metrics"): the ranks at the Binomial(n, q)'s alpha/2 and 1 - alpha/2
    points; a rank beyond the sample is its extreme where that covers at least 90% of the time,
    else no bound. With several samples a case, the ranks are found at the Korn-Graubard
    effective size of the count at or below the sample quantile, whole (the README says
    effective size; stats/clustered.py's docstring says how the ranks are scaled back to the n
    values, outward), and the extremes' coverage read at that size; over one case, none."""
    counted = [(r, finite(value(r))) for r in rows]
    counted = [(r, v) for r, v in counted if v is not None]
    data = np.sort(np.array([v for _, v in counted], dtype=float))
    n = int(data.size)
    if n == 0:
        return Figure(None, 0)
    point = float(np.quantile(data, q))
    if n == 1:
        return Figure(point, n, None, None, closed=True)
    size = n
    if not one_sample_a_case([r for r, _ in counted]):
        below = [float(v <= point) for _, v in counted]
        sums, sizes = case_totals([r for r, _ in counted], below)
        if sizes.size < 2:
            return Figure(point, n, None, None, closed=True)
        size = max(1, math.floor(korn_graubard_n(sums, sizes, confidence)))
    alpha = 1 - confidence
    lower = int(stats.binom.ppf(alpha / 2, size, q))
    upper = int(stats.binom.ppf(1 - alpha / 2, size, q)) + 1
    floor = 1 - 2 * alpha  # the least coverage of a bound at an extreme: 90% at 95%
    low_rank = max(1, math.floor(lower / size * n))
    high_rank = min(n, math.ceil(upper / size * n))
    low = float(data[low_rank - 1])
    high = float(data[high_rank - 1])
    if lower < 1 and 1 - (1 - q) ** size < floor:
        low = None
    if upper > size and 1 - q**size < floor:
        high = None
    return Figure(point, n, low, high, closed=True)


P_VALUE_TOLERANCE = 0.05
"""The harness's permutation p-value (2,000 shufflings) against scipy's (9,999): both Monte
Carlo estimates, whose difference has a standard deviation of at most 0.013."""


def disparity_gap(rows: list[Row], value: Getter, group: Getter, *, rate: bool) -> Figure:
    """``disparity`` with ``method: difference`` between groups (docs/bias-robustness.md): the
    largest group's figure minus the smallest's, each group's the mean of its cases' means (a
    case's samples averaged first; ``statistic: rate`` reads the condition as 0/1); n the rows
    counted in the groups compared. The interval: simultaneous pairwise intervals (Newcombe's
    from score intervals over the case means for values in [0, 1], Welch's t otherwise; each at
    1 - alpha / pairs), the gap between the largest lower bound of any |difference| and the
    largest upper bound; ``p_value_no_gap``: a permutation test of the group labels over cases
    (scipy's). A group with rows but no value, or fewer than two groups: no figure."""
    cases = _group_case_means(rows, value, group, rate=rate)
    if cases is None or len(cases) < 2:
        return Figure(None, 0)
    names = sorted(cases)
    case_means = {g: np.array([np.mean(v) for v in cases[g].values()]) for g in names}
    means = {g: float(case_means[g].mean()) for g in names}
    n = sum(len(v) for c in cases.values() for v in c.values())
    figure = Figure(max(means.values()) - min(means.values()), n, closed=True)
    figure.low, figure.high = gap_interval(list(case_means.values()), 0.95)
    for g in names:
        figure.details[f"by_group.{g}.value"] = (means[g], 0.0)
        figure.details[f"by_group.{g}.n"] = (sum(len(v) for v in cases[g].values()), 0.0)
    figure.details["p_value_no_gap"] = (permutation_p(list(case_means.values())), P_VALUE_TOLERANCE)
    return figure


def _group_case_means(
    rows: list[Row], value: Getter, group: Getter, *, rate: bool
) -> dict[str, dict[str, list[float]]] | None:
    """group -> case -> the values of its samples; None where a group has rows but no value
    (docs/bias-robustness.md: no figure)."""
    cases: dict[str, dict[str, list[float]]] = {}
    for row in rows:
        key, raw = group(row), value(row)
        if key is None:
            continue
        by_case = cases.setdefault(str(key), {})
        v = (None if raw is None else float(bool(raw))) if rate else finite(raw)
        if v is not None:
            by_case.setdefault(str(row["case_id"]), []).append(v)
    if any(not by_case for by_case in cases.values()):
        return None
    return cases


def _between(
    means: dict[str, float], overall: float, *, ratio: bool, to_overall: bool
) -> float | None:
    """fairlearn's ``difference`` (max - min) or ``ratio`` (min / max) between the groups, or
    with ``method='to_overall'`` the largest |group - overall| or the least of group / overall
    and overall / group."""
    values = list(means.values())
    if not to_overall:
        if ratio:
            return None if max(values) == 0 else min(values) / max(values)
        return max(values) - min(values)
    if ratio:
        if overall == 0:
            return None  # every group 0: 0 / 0
        return min(v / overall if v <= overall else overall / v for v in values)
    return max(abs(v - overall) for v in values)


def disparity(
    rows: list[Row],
    value: Getter,
    group: Getter,
    *,
    rate: bool,
    ratio: bool = False,
    to_overall: bool = False,
    min_group_size: int = 1,
) -> Figure:
    """``disparity`` with any ``method`` and ``relative_to`` (docs/bias-robustness.md): each
    group's figure the mean of its cases' means, groups of fewer than ``min_group_size`` cases
    left out, the overall figure the mean of every compared case's mean; n the rows counted in
    the groups compared. Only the point, n and each group's figure are checked (the ratio's
    log-scale and the overall's bootstrap intervals have no closed form here)."""
    cases = _group_case_means(rows, value, group, rate=rate)
    if cases is None:
        return Figure(None, 0)
    kept = {g: c for g, c in cases.items() if len(c) >= min_group_size}
    if len(kept) < 2:
        return Figure(None, 0)
    case_means = {g: [float(np.mean(v)) for v in kept[g].values()] for g in sorted(kept)}
    means = {g: float(np.mean(m)) for g, m in case_means.items()}
    overall = float(np.mean([m for ms in case_means.values() for m in ms]))
    point = _between(means, overall, ratio=ratio, to_overall=to_overall)
    if point is None:
        return Figure(None, 0)
    n = sum(len(v) for c in kept.values() for v in c.values())
    figure = Figure(point, n)
    for g in sorted(kept):
        figure.details[f"by_group.{g}.value"] = (means[g], 0.0)
        figure.details[f"by_group.{g}.n"] = (sum(len(v) for v in kept[g].values()), 0.0)
    return figure


def within_strata(
    rows: list[Row],
    stratum: Getter,
    compute: Callable[[list[Row]], Figure],
    *,
    worst: Callable[[float], float],
) -> Figure:
    """``within``: one figure per stratum (the groups, their own groups and details not
    shown), the value the worst of them (the largest ``worst(value)``: the largest gap, the
    smallest ratio, the delta furthest from 0); n the rows the strata's figures counted. The
    value claims the worst stratum, so where a stratum has no figure the worst is unknown:
    no figure (README "Gates": a metric with no data is no_data, which fails)."""
    strata: dict[str, list[Row]] = {}
    for row in rows:
        key = stratum(row)
        if key is not None:
            strata.setdefault(str(key), []).append(row)
    groups = {name: compute(part) for name, part in sorted(strata.items())}
    for figure in groups.values():
        figure.details, figure.groups = {}, {}
    if any(f.value is None for f in groups.values()):
        return Figure(None, 0, groups=groups)
    top = max((f for f in groups.values() if f.value is not None), key=lambda f: worst(f.value))
    n = sum(f.n for f in groups.values())
    return Figure(top.value, n, top.low, top.high, closed=top.closed, groups=groups)


def disparity_within(
    rows: list[Row], stratum: Getter, compute: Callable[[list[Row]], Figure], *, ratio: bool
) -> Figure:
    """``disparity`` with ``within``: the worst stratum is the largest gap or smallest ratio."""
    return within_strata(rows, stratum, compute, worst=(lambda v: -v) if ratio else (lambda v: v))


def furthest_delta(deltas: dict[str, list[float]], n: int) -> Figure:
    """The paired figure from each group's deltas over pairs (docs/bias-robustness.md): per
    group, the mean delta with a Student t interval at 1 - alpha / groups (Bonferroni; none
    from one pair, or where every delta is the same); overall, the group furthest from 0, with
    its sign, and ``n`` the rows counted. Paired metrics and the perturbations' per-operator
    deltas alike."""
    level = 1 - 0.05 / len(deltas)
    groups = {}
    for name, values in sorted(deltas.items()):
        data = np.array(values)
        low = high = None
        if data.size >= 2 and data.std(ddof=1) > 0:
            half = float(stats.t.ppf(0.5 + level / 2, data.size - 1)) * data.std(ddof=1)
            half /= math.sqrt(data.size)
            low, high = float(data.mean()) - half, float(data.mean()) + half
        groups[name] = Figure(float(data.mean()), int(data.size), low, high, closed=True)
    top = groups[max(groups, key=lambda name: abs(groups[name].value or 0.0))]
    return Figure(top.value, n, top.low, top.high, closed=True, groups=groups)


def permutation_p(groups: list[np.ndarray], resamples: int = 9_999) -> float:
    """How often shuffled group labels give a gap (max - min of group means) at least the
    observed one: scipy's permutation test, or (scipy wants two cases a group) the same count
    over our own shufflings, (b + 1) / (B + 1)."""

    def gap(*parts: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.ptp(np.stack([x.mean(axis=axis) for x in parts]), axis=0)

    if min(g.size for g in groups) >= 2:
        test = stats.permutation_test(
            groups,
            gap,
            permutation_type="independent",
            alternative="greater",
            n_resamples=resamples,
            vectorized=True,
            rng=np.random.default_rng(7),
        )
        return float(test.pvalue)
    rng = np.random.default_rng(7)
    pooled = np.concatenate(groups)
    cuts = np.cumsum([g.size for g in groups])[:-1]
    observed = float(gap(*groups))
    shuffled = rng.permuted(np.tile(pooled, (resamples, 1)), axis=1)
    gaps = gap(*np.split(shuffled, cuts, axis=1), axis=1)
    return float((np.count_nonzero(gaps >= observed - 1e-12) + 1) / (resamples + 1))


def _pair(a: np.ndarray, b: np.ndarray, level: float, unit: bool) -> tuple[float, float]:
    """An interval for mean(a) - mean(b) at ``level``: Newcombe's hybrid score interval, or
    Welch's t ((-inf, inf) without variance to read)."""
    d = float(a.mean() - b.mean())
    if unit:
        la, ua = wilson(float(a.mean()), a.size, level)
        lb, ub = wilson(float(b.mean()), b.size, level)
        low = d - math.hypot(float(a.mean()) - la, ub - float(b.mean()))
        high = d + math.hypot(ua - float(a.mean()), float(b.mean()) - lb)
        return low, high
    va = float(a.var(ddof=1)) / a.size if a.size > 1 else math.inf
    vb = float(b.var(ddof=1)) / b.size if b.size > 1 else math.inf
    se = math.sqrt(va + vb)
    if se == 0 or not math.isfinite(se):
        return -math.inf, math.inf
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return d - half, d + half


def gap_interval(groups: list[np.ndarray], confidence: float) -> tuple[float, float | None]:
    pairs = [(a, b) for i, a in enumerate(groups) for b in groups[i + 1 :]]
    level = 1 - (1 - confidence) / len(pairs)
    everything = np.concatenate(groups)
    unit = bool(((everything >= 0) & (everything <= 1)).all())
    lows, highs = [], []
    for a, b in pairs:
        low, high = _pair(a, b, level, unit)
        if low > 0:
            lows.append(low), highs.append(high)
        elif high < 0:
            lows.append(-high), highs.append(-low)
        else:
            lows.append(0.0), highs.append(max(-low, high))
    top = max(highs)
    if unit:
        return max(lows), min(top, 1.0)
    return max(lows), top if math.isfinite(top) else None


def by_group(
    rows: list[Row], group: Getter, compute: Callable[[list[Row]], Figure]
) -> tuple[dict[str, Figure], int]:
    """The engine's ``by:``: each group's figure; rows whose group is null are in none."""
    members: dict[str, list[Row]] = {}
    no_group = 0
    for row in rows:
        key = group(row)
        if key is None:
            no_group += 1
            continue
        members.setdefault(str(key), []).append(row)
    return {name: compute(part) for name, part in sorted(members.items())}, no_group


def checked(figure: dict[str, Any], bound: str) -> float | None:
    return {
        "point": figure.get("value"),
        "upper": figure.get("ci_high"),
        "lower": figure.get("ci_low"),
    }[bound]


def passes(x: float, gate: dict[str, Any]) -> bool:
    if gate.get("max") is not None and x > gate["max"]:
        return False
    return not (gate.get("min") is not None and x < gate["min"])


def verdict(gate: dict[str, Any], metric: dict[str, Any]) -> tuple[str, list[str]]:
    """A gate's verdict from the published figures and its thresholds (README "Gates"): the
    checked figure is the point or the bound; every group must pass, and a group without the
    figure fails. Without an overall figure the groups are judged all the same: ``fail`` where
    a group's own figure breaks the limit, else ``no_data``."""
    figure = checked(metric, gate["bound"])
    ok = figure is not None and passes(figure, gate)
    failing, broken = [], False
    if gate.get("each_group", True):
        for name, group in sorted((metric.get("groups") or {}).items()):
            group_figure = checked(group, gate["bound"])
            if group_figure is None or not passes(group_figure, gate):
                failing.append(name)
                ok = False
                broken = broken or group_figure is not None
    if figure is None:
        return ("fail" if broken else "no_data"), failing
    return ("pass" if ok else "fail"), failing
