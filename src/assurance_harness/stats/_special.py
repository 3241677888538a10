"""The few ``scipy.special`` ufuncs behind the intervals, loaded on first use.

``scipy.stats.beta.ppf`` computes the ``_beta_ppf`` ufunc of ``scipy.special`` (boost's inverse
incomplete beta), but importing ``scipy.stats`` takes about a second, most of a short run's
start-up. Calling the ufunc gives the same values bit for bit (tests/stats/test_special.py), so
intervals, and the evidence hashes that cover them, do not move. (``norm.ppf`` and ``t.ppf`` are
``ndtri`` and ``stdtrit``.) Even ``scipy.special`` costs about 0.2 s to import, which
``validate`` and ``--help`` never need, so nothing here imports it until a value is asked for.
"""

from __future__ import annotations

from functools import cache
from typing import Any


def beta_ppf(q: float, a: float, b: float) -> float:
    """``scipy.stats.beta.ppf(q, a, b)`` for 0 < q < 1 and a, b > 0."""
    return float(_beta_ppf_ufunc()(q, a, b))


def ndtri(p: Any) -> Any:
    """``scipy.special.ndtri`` (= ``scipy.stats.norm.ppf``), returning what the ufunc returns."""
    return _ufuncs().ndtri(p)


def ndtr(x: Any) -> Any:
    """``scipy.special.ndtr`` (= ``scipy.stats.norm.cdf``)."""
    return _ufuncs().ndtr(x)


def stdtrit(df: Any, p: Any) -> Any:
    """``scipy.special.stdtrit`` (= ``scipy.stats.t.ppf(p, df)``)."""
    return _ufuncs().stdtrit(df, p)


@cache
def _ufuncs() -> Any:
    import scipy.special

    return scipy.special


@cache
def _beta_ppf_ufunc() -> Any:
    try:
        from scipy.special._ufuncs import _beta_ppf  # what scipy.stats.beta._ppf calls

        return _beta_ppf
    except ImportError:  # a scipy that moved it: the public, slower-to-import route
        from scipy.stats import beta

        return beta.ppf
