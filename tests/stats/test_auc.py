"""The AUC interval of ``assurance scorers check`` (issue 11 item 1): it covers near AUC = 1,
where the percentile bootstrap over items covered 0.77 (25 positives / 75 negatives, true AUC
0.983), and it says "approximate" where nothing backs it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm, rankdata

from assurance_harness.scorers.check import auc, figures
from assurance_harness.scorers.validity import ValidityCard
from assurance_harness.stats.auc import MIN_CLASS, auc_interval, midranks


def coverage(positives: int, negatives: int, shift: float, spread: float, datasets: int) -> float:
    """Share of binormal data sets whose interval holds the true AUC."""
    rng = np.random.default_rng(11)
    truth = float(norm.cdf(shift / math.sqrt(1 + spread**2)))
    labels = np.r_[np.ones(positives), np.zeros(negatives)]
    covered = 0
    for _ in range(datasets):
        scores = np.r_[rng.normal(shift, spread, positives), rng.normal(0, 1, negatives)]
        found = auc_interval(labels, scores)
        assert found is not None
        covered += found.low <= truth <= found.high
    return covered / datasets


def test_midranks_and_the_point_estimate_match_the_rank_sum_formula() -> None:
    values = np.array([0.3, 0.1, 0.3, 0.9, 0.1, 0.1, 0.5])
    assert midranks(values).tolist() == rankdata(values).tolist()
    y = np.array([1, 1, 0, 0, 1])
    s = np.array([0.9, 0.4, 0.4, 0.1, 0.8])
    found = auc_interval(y, s)
    assert found is not None and found.value == pytest.approx(auc(y, s))
    assert auc_interval(np.ones(3), np.arange(3.0)) is None


def test_a_perfect_separation_does_not_give_a_zero_width_interval() -> None:
    # The percentile bootstrap gave [1, 1] here: every resample separates perfectly too.
    labels = [1] * 10 + [0] * 40
    scores = [2.0 + i for i in range(10)] + [i / 40 for i in range(40)]
    found = figures(labels, scores, [s > 1 for s in scores])["auc"]
    assert found.value == 1.0 and found.high == 1.0
    assert found.low is not None and found.low < 0.95


def test_covers_near_one_where_the_bootstrap_did_not() -> None:
    # The cell that covered 0.767 +- 0.055 with the bootstrap (benchmarks/coverage.py).
    assert coverage(25, 75, shift=3.0, spread=1.0, datasets=300) >= 0.93


def test_covers_when_the_classes_spread_differently() -> None:
    # Newcombe's interval alone covered 0.86 here; logit DeLong alone 0.76 at AUC 0.96.
    assert coverage(10, 400, shift=2.5, spread=2.0, datasets=300) >= 0.93


def test_few_items_of_a_class_are_labelled_approximate_on_the_card() -> None:
    labels = [1] * (MIN_CLASS - 1) + [0] * 30
    scores = list(range(len(labels)))[::-1]
    found = figures(labels, [float(s) for s in scores], [True] * len(labels))
    assert found["auc"].method is not None and "approximate" in found["auc"].method
    assert found["auc"].caveat is not None and f"only {MIN_CLASS - 1} positives" in (
        found["auc"].caveat
    )
    assert found["recall"].method == "clopper-pearson" and found["recall"].caveat is None
    card = ValidityCard(scorer="x", figures=found)
    assert "approximate: only 4 positives" in card.headline()
    assert "approximate" in card.summary()["figures"]["auc"]["method"]
    plenty = figures([1] * 10 + [0] * 10, [float(i) for i in range(20)], [True] * 20)
    assert plenty["auc"].caveat is None and "approximate" not in plenty["auc"].text()


def test_a_card_written_before_methods_keeps_its_shape() -> None:
    old = {"value": 0.9, "low": 0.8, "high": 0.95, "n": 100, "on": "set"}
    card = ValidityCard.model_validate({"scorer": "x", "figures": {"auc": old}})
    assert card.summary()["figures"]["auc"] == old
    assert '"method"' not in card.model_dump_json()
