"""The disparity bootstrap draws its resamples in blocks (bounded memory at 100k cases) and
gives exactly the figures of drawing them all at once."""

from __future__ import annotations

import numpy as np
import pytest

from assurance_harness.metrics import disparity
from assurance_harness.metrics.base import MetricContext
from assurance_harness.stats import intervals


def _all_at_once(
    case_means: dict[str, np.ndarray], params: disparity.DisparityParams, ctx: MetricContext
) -> np.ndarray:
    """The former implementation: one resamples x n index array per group."""
    rng = np.random.default_rng(ctx.seed)
    stats = np.empty((ctx.bootstrap_resamples, len(case_means)))
    totals = np.zeros(ctx.bootstrap_resamples)
    count = 0
    for j, values in enumerate(case_means.values()):
        idx = rng.integers(0, values.size, size=(ctx.bootstrap_resamples, values.size))
        sums = values[idx].sum(axis=1)
        stats[:, j] = sums / values.size
        totals += sums
        count += values.size
    return disparity._between(stats, totals / count, params)


@pytest.mark.parametrize("relative_to", ["between_groups", "overall"])
def test_blocked_bootstrap_equals_one_draw(
    monkeypatch: pytest.MonkeyPatch, relative_to: str
) -> None:
    rng = np.random.default_rng(3)
    case_means = {g: rng.normal(size=n) for g, n in (("a", 37), ("b", 101), ("c", 64))}
    params = disparity.DisparityParams(value="x", by="g", relative_to=relative_to)  # type: ignore[arg-type]
    ctx = MetricContext(seed=11, confidence=0.95, bootstrap_resamples=500)
    expected = _all_at_once(case_means, params, ctx)
    monkeypatch.setattr(intervals, "BOOTSTRAP_BLOCK", 1000)  # blocks of 9-27 resamples
    got, resamples = disparity.DisparityMetric._bootstrap(case_means, params, ctx)
    assert resamples == 500
    assert got.tobytes() == expected.tobytes()
