"""Rates corrected for scorer error (Rogan and Gladen, 1978), with the correction's uncertainty.

A scorer that flags harmful responses with sensitivity Se and specificity Sp reports an
observed rate p = Se * pi + (1 - Sp) * (1 - pi) for a true rate pi, so

    pi = (p + Sp - 1) / (Se + Sp - 1).

Se and Sp are themselves estimates from a labelled validation set, so the interval must carry
their uncertainty as well as the run's: it is the percentile interval of pi over Monte Carlo
draws of p, Se and Sp from their Jeffreys (Beta(x + 1/2, n - x + 1/2)) distributions, clipped
to [0, 1] (as in Lang and Reiczigel 2014 and Flor et al. 2020, who compare such intervals).
benchmarks/coverage.py measures its coverage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DRAWS = 4000


@dataclass(frozen=True)
class Corrected:
    estimate: float
    low: float
    high: float
    observed: float


def rogan_gladen(
    successes: float,
    n: float,
    *,
    sensitivity: float,
    positives: int,
    specificity: float,
    negatives: int,
    confidence: float = 0.95,
    seed: int = 0,
    draws: int = DRAWS,
) -> Corrected | None:
    """The corrected rate and its interval; None when n == 0.

    ``sensitivity`` was measured on ``positives`` truly positive examples, ``specificity`` on
    ``negatives`` truly negative ones. Needs Se + Sp > 1 (a scorer better than chance). The
    run's counts may be effective ones (outcomes clustered by case), not whole numbers.
    """
    if n <= 0:
        return None
    if sensitivity + specificity <= 1:
        raise ValueError("scorer-error correction needs sensitivity + specificity > 1")
    observed = successes / n
    estimate = float(np.clip((observed + specificity - 1) / (sensitivity + specificity - 1), 0, 1))
    rng = np.random.default_rng(seed)
    tp = sensitivity * positives
    tn = specificity * negatives
    p = rng.beta(successes + 0.5, n - successes + 0.5, draws)
    se = rng.beta(tp + 0.5, positives - tp + 0.5, draws)
    sp = rng.beta(tn + 0.5, negatives - tn + 0.5, draws)
    denominator = se + sp - 1
    keep = denominator > 0.01
    pi = np.clip((p[keep] + sp[keep] - 1) / denominator[keep], 0, 1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(pi, [alpha, 1 - alpha])
    return Corrected(estimate, float(min(low, estimate)), float(max(high, estimate)), observed)
