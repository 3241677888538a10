"""Cohen's kappa from cell counts and its BCa interval, against sklearn and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import bootstrap
from sklearn.metrics import cohen_kappa_score

from assurance_harness.stats.kappa import cell_counts, kappa_bca, kappa_caveat, kappa_from_counts


def labels(seed: int, n: int, rate: float, agree: float) -> list[tuple[bool, bool]]:
    rng = np.random.default_rng(seed)
    a = rng.random(n) < rate
    b = np.where(rng.random(n) < agree, a, rng.random(n) < rate)
    return list(zip(a.tolist(), b.tolist(), strict=True))


@pytest.mark.parametrize("seed", range(5))
def test_kappa_from_counts_matches_sklearn(seed: int) -> None:
    pairs = labels(seed, 60, 0.3, 0.7)
    a, b = zip(*pairs, strict=True)
    assert float(kappa_from_counts(cell_counts(pairs))) == pytest.approx(cohen_kappa_score(a, b))


def test_kappa_undefined_when_both_raters_use_one_label() -> None:
    assert np.isnan(kappa_from_counts(cell_counts([(True, True)] * 5)))
    assert kappa_bca([(True, True)] * 5) == (None, None)


def test_bca_matches_scipy_bca() -> None:
    """The multinomial resampling of the four counts is row resampling; the interval agrees
    with scipy's BCa over rows (different random streams, so within Monte Carlo error)."""
    pairs = labels(3, 80, 0.25, 0.75)
    a = np.array([p[0] for p in pairs], dtype=float)
    b = np.array([p[1] for p in pairs], dtype=float)

    def statistic(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        counts = np.stack(
            [
                (x * y).sum(axis),
                (x * (1 - y)).sum(axis),
                ((1 - x) * y).sum(axis),
                ((1 - x) * (1 - y)).sum(axis),
            ],
            axis=-1,
        )
        return kappa_from_counts(counts)

    reference = bootstrap(
        (a, b), statistic, paired=True, method="BCa", n_resamples=20000, random_state=1
    ).confidence_interval
    low, high = kappa_bca(pairs, seed=2, resamples=20000)
    assert low == pytest.approx(reference.low, abs=0.02)
    assert high == pytest.approx(reference.high, abs=0.02)


def test_small_or_one_sided_samples_are_labelled_approximate() -> None:
    assert kappa_caveat(labels(1, 20, 0.5, 0.8)) is not None  # too few rows
    caveat = kappa_caveat(labels(1, 200, 0.02, 0.8))  # too few "yes" labels
    assert caveat is not None and caveat.startswith("approximate:")
    assert kappa_caveat(labels(1, 200, 0.4, 0.8)) is None
