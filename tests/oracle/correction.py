"""A ``rate`` corrected for scorer error (``scorer_error:``), recomputed by its documented
definition (README "Metrics", docs/scorers.md; Rogan and Gladen 1978): from an observed rate p
and the scorer's sensitivity Se and specificity Sp, the true rate is
(p + Sp - 1) / (Se + Sp - 1), within [0, 1]. Its interval carries the uncertainty of Se and Sp
(measured on ``positives`` and ``negatives`` examples) as well as the run's: ours is the
percentile interval of that formula over draws of p, Se and Sp from their Jeffreys posteriors
(Beta(x + 1/2, n - x + 1/2)), of many more draws than the harness's, checked within Monte Carlo
tolerance; with several samples a case, the run's counts are taken at Korn and Graubard's
effective sample size first, as every rate's are (README "Metrics"); from one case, none
(README "Metrics": a figure too small for an interval that covers has none).
``details.observed`` keeps the plain rate with its Clopper-Pearson interval."""

from __future__ import annotations

import numpy as np

from . import recompute as rc

TOLERANCE = 0.15
"""A Monte Carlo bound of a few thousand draws against ours of 200,000: within 15% of the
interval's width."""


def _rogan_gladen(p: np.ndarray | float, se: np.ndarray | float, sp: np.ndarray | float):  # type: ignore[no-untyped-def]
    return np.clip((p + sp - 1) / (se + sp - 1), 0.0, 1.0)


def corrected_rate(
    rows: list[rc.Row],
    condition: rc.Getter,
    *,
    sensitivity: float,
    positives: int,
    specificity: float,
    negatives: int,
    draws: int = 200_000,
) -> rc.Figure:
    """The corrected share of rows where ``condition`` holds (null rows not counted)."""
    outcomes = [bool(v) for v in map(condition, rows) if v is not None]
    n, k = len(outcomes), sum(outcomes)
    if n == 0:
        return rc.Figure(None, 0)
    point = float(_rogan_gladen(k / n, sensitivity, specificity))
    counted = [r for r in rows if condition(r) is not None]
    plain = rc.rate(rows, condition)
    observed = {
        "observed": (plain.value, 0.0),
        "observed_ci_low": (plain.low, 0.0),
        "observed_ci_high": (plain.high, 0.0),
    }
    if len({r["case_id"] for r in counted}) < 2:
        return rc.Figure(point, n, None, None, closed=True, details=observed)
    successes, trials = float(k), float(n)
    if not rc.one_sample_a_case(counted):
        # The run's counts at Korn and Graubard's effective sample size, as every rate's (README
        # "Metrics"): agreeing samples of one case are not several independent outcomes.
        sums, sizes = rc.case_totals(counted, [float(o) for o in outcomes])
        trials = rc.at_most_one_a_case(sums, sizes, rc.korn_graubard_n(sums, sizes, 0.95))
        successes = k / n * trials
        if trials < 1:  # under one effective outcome: no interval (README "Metrics")
            return rc.Figure(point, n, None, None, closed=True, details=observed)
    rng = np.random.default_rng(20_240_603)
    tp = sensitivity * positives
    tn = specificity * negatives
    p = rng.beta(successes + 0.5, trials - successes + 0.5, draws)
    se = rng.beta(tp + 0.5, positives - tp + 0.5, draws)
    sp = rng.beta(tn + 0.5, negatives - tn + 0.5, draws)
    keep = se + sp > 1  # a draw no better than chance corrects nothing
    low, high = np.quantile(_rogan_gladen(p[keep], se[keep], sp[keep]), [0.025, 0.975])
    figure = rc.Figure(point, n, float(low), float(high), closed=True, tolerance=TOLERANCE)
    figure.details = observed
    return figure
