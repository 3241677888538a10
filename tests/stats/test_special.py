"""The scipy.special quantiles behind the intervals (ndtri, stdtrit, _beta_ppf, _binom_ppf) are
bit for bit scipy.stats' own.

Rates and z-values are computed without importing scipy.stats (a second of start-up); the
evidence ledger hashes summaries that hold these figures, so they must not move by one ulp.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import ndtri, stdtrit

from assurance_harness.stats._special import beta_ppf, binom_ppf
from assurance_harness.stats.intervals import clopper_pearson, quantile_interval, z_value


@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
def test_z_value_is_scipy_stats_norm_ppf(confidence: float) -> None:
    q = 0.5 + confidence / 2
    assert float(ndtri(q)) == float(stats.norm.ppf(q))
    assert z_value(confidence) == float(stats.norm.ppf(q))


def test_t_ppf_is_scipy_stats_t_ppf() -> None:
    dfs = np.concatenate([np.arange(1, 200), np.geomspace(0.5, 1e7, 300)])
    for confidence in (0.8, 0.9, 0.95, 0.99):
        q = 0.5 + confidence / 2
        want = stats.t.ppf(q, dfs)
        assert np.array_equal(np.array([float(stdtrit(float(df), q)) for df in dfs]), want)


def test_beta_ppf_is_scipy_stats_beta_ppf_on_every_count_up_to_120() -> None:
    triples = []
    for confidence in (0.9, 0.95, 0.99):
        alpha = 1 - confidence
        for n in range(1, 121):
            for k in range(n + 1):
                for q, a, b in ((alpha / 2, k, n - k + 1), (1 - alpha / 2, k + 1, n - k)):
                    if a > 0 and b > 0:
                        triples.append((q, a, b))
    q, a, b = (np.array(column) for column in zip(*triples, strict=True))
    want = stats.beta.ppf(q, a, b)  # elementwise: one call, the same ufunc per element
    got = np.array([beta_ppf(*t) for t in triples])
    assert np.array_equal(got, want)


def test_binom_ppf_is_scipy_stats_binom_ppf() -> None:
    # The quantile metric's order-statistic ranks (issue 12: without importing scipy.stats).
    ns = np.concatenate([np.arange(1, 300), np.geomspace(300, 10_000_000, 60).astype(int)])
    for confidence in (0.8, 0.9, 0.95, 0.99):
        alpha = 1 - confidence
        for q in (0.0, 0.01, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0):
            for tail in (alpha / 2, 1 - alpha / 2):
                want = stats.binom.ppf(tail, ns, q)
                got = np.array([binom_ppf(tail, int(n), q) for n in ns])
                assert np.array_equal(got, want)


def test_quantile_interval_ranks_are_scipy_stats_ones() -> None:
    rng = np.random.default_rng(0)
    for n in (1, 5, 50, 71, 72, 1_000, 12_345):
        data = np.sort(rng.normal(size=n))
        for q in (0.05, 0.5, 0.9, 0.95):
            for confidence in (0.9, 0.95):
                alpha = 1 - confidence
                lower = int(stats.binom.ppf(alpha / 2, n, q))
                upper = int(stats.binom.ppf(1 - alpha / 2, n, q)) + 1
                # A bound clamped to the sample's extreme stands where that extreme covers at
                # least 1 - 2 alpha (exactly: 1 - (1 - q)^n below, 1 - q^n above); one value
                # bounds nothing (tests/metrics/test_small_n_quantile.py).
                keep_low = n > 1 and (lower >= 1 or 1 - (1 - q) ** n >= 1 - 2 * alpha)
                keep_high = n > 1 and (upper <= n or 1 - q**n >= 1 - 2 * alpha)
                want_low = float(data[max(lower, 1) - 1]) if keep_low else None
                want_high = float(data[min(upper, n) - 1]) if keep_high else None
                low, high, _ = quantile_interval(data, q, confidence)
                assert (low, high) == (want_low, want_high), (n, q, confidence)


@pytest.mark.parametrize("n", [1_000, 100_000, 10_000_000])
def test_clopper_pearson_at_large_n(n: int) -> None:
    alpha = 1 - 0.95  # as clopper_pearson computes it (not exactly 0.05)
    for k in (0, 1, 7, n // 3, n - 1, n):
        low, high = clopper_pearson(k, n)
        want_low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
        want_high = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
        assert (low, high) == (want_low, want_high)


_FRESH = """
import json, sys
from assurance_harness.stats import _special
got = [_special.beta_ppf(0.025, 3, 8), float(_special.ndtri(0.975)), float(_special.ndtr(0.3)),
       float(_special.stdtrit(7.0, 0.95))]
before = sorted(m for m in sys.modules if m.startswith("scipy"))
import scipy.special
lazy = "__getattr__" in vars(scipy.special)
from scipy import stats
want = [float(stats.beta.ppf(0.025, 3, 8)), float(stats.norm.ppf(0.975)),
        float(stats.norm.cdf(0.3)), float(stats.t.ppf(0.95, 7.0))]
print(json.dumps({"got": got, "want": want, "before": before, "lazy": lazy,
                  "whole": "__getattr__" not in vars(scipy.special),
                  "gamma": float(scipy.special.gamma(5.0)),
                  "submodule": scipy.special._ufuncs is sys.modules["scipy.special._ufuncs"]}))
"""


def test_ufuncs_load_before_scipy_special_runs_and_the_package_still_works() -> None:
    """In a fresh interpreter the quantiles come from ``scipy.special._ufuncs`` without running
    ``scipy.special``'s ``__init__`` (0.2 s); the package runs on first use, whole, and the
    values are scipy.stats' own."""
    import json
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _FRESH], capture_output=True, text=True, timeout=120, check=True
    )
    found = json.loads(proc.stdout)
    assert found["got"] == found["want"]
    assert "scipy.special._support_alternative_backends" not in found["before"]
    assert "scipy.special._ufuncs" in found["before"]
    assert found["lazy"] and found["whole"] and found["submodule"]
    assert found["gamma"] == 24.0


def test_normal_and_t_tails_are_scipy_stats_sf() -> None:
    # compare's p-values (stats.twosample), without importing scipy.stats (0.6 s).
    from assurance_harness.stats._special import norm_sf, t_sf

    xs = np.concatenate([[0.0, 1e-300, np.inf, np.nan], np.geomspace(1e-6, 60, 400)])
    dfs = np.concatenate([[0.5, 1.0, 1.5, np.inf], np.geomspace(1.01, 1e7, 200)])
    assert np.array_equal(
        np.array([norm_sf(float(x)) for x in xs]), stats.norm.sf(xs), equal_nan=True
    )
    for df in dfs:
        want = stats.t.sf(xs, df)
        got = np.array([t_sf(float(x), float(df)) for x in xs])
        assert np.array_equal(got, want, equal_nan=True), df
