"""The few ``scipy.special`` ufuncs behind the intervals, loaded on first use.

``scipy.stats.beta.ppf`` computes the ``_beta_ppf`` ufunc of ``scipy.special`` (boost's inverse
incomplete beta), but importing ``scipy.stats`` takes about a second, most of a short run's
start-up. Calling the ufunc gives the same values bit for bit (tests/stats/test_special.py), so
intervals, and the evidence hashes that cover them, do not move. (``norm.ppf`` and ``t.ppf`` are
``ndtri`` and ``stdtrit``, ``norm.sf`` and ``t.sf`` ``ndtr`` and ``stdtr`` of ``-x``;
``binom.ppf`` inside its domain is ``_binom_ppf``.) Even
``scipy.special`` costs about 0.2 s to import, which ``validate`` and ``--help`` never need, so
nothing here imports it until a value is asked for.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from functools import cache
from typing import Any


def beta_ppf(q: float, a: float, b: float) -> float:
    """``scipy.stats.beta.ppf(q, a, b)`` for 0 < q < 1 and a, b > 0."""
    return float(_ppf_ufunc("beta")(q, a, b))


def binom_ppf(q: float, n: int, p: float) -> float:
    """``scipy.stats.binom.ppf(q, n, p)`` for 0 < q < 1, n >= 0 and 0 <= p <= 1 (what
    ``binom._ppf`` computes there: the ``_binom_ppf`` ufunc)."""
    return float(_ppf_ufunc("binom")(q, n, p))


def ndtri(p: Any) -> Any:
    """``scipy.special.ndtri`` (= ``scipy.stats.norm.ppf``), returning what the ufunc returns."""
    return _ufuncs().ndtri(p)


def ndtr(x: Any) -> Any:
    """``scipy.special.ndtr`` (= ``scipy.stats.norm.cdf``)."""
    return _ufuncs().ndtr(x)


def stdtrit(df: Any, p: Any) -> Any:
    """``scipy.special.stdtrit`` (= ``scipy.stats.t.ppf(p, df)``)."""
    return _ufuncs().stdtrit(df, p)


def norm_sf(x: float) -> float:
    """``scipy.stats.norm.sf(x)``: what its ``_sf`` computes, ``ndtr(-x)``."""
    return float(_ufuncs().ndtr(-x))


def t_sf(x: float, df: float) -> float:
    """``scipy.stats.t.sf(x, df)``: what its ``_sf`` computes, ``stdtr(df, -x)``."""
    return float(_ufuncs().stdtr(df, -x))


_LOADING = threading.Lock()


@cache
def _ufuncs() -> Any:
    """``scipy.special._ufuncs``, the compiled module that holds every function used here.

    Importing it the usual way runs ``scipy.special``'s ``__init__`` first, and that spends
    about 0.2 s (a third of a 1-case run) cloning numpy's namespace for the array API, which
    these scalar calls never use. So unless something already imported ``scipy.special``, the
    package's module object is made from its spec and put in ``sys.modules`` without running its
    code; the compiled submodules load into it; and its code runs on the first attribute that
    is not there yet (PEP 562 ``__getattr__``), so any other user of ``scipy.special`` in this
    process still gets the whole package. Any surprise falls back to the plain import."""
    with _LOADING:
        if "scipy.special" not in sys.modules:
            try:
                return _load_ufuncs_before_package()
            except Exception:  # an unexpected scipy layout: the plain route
                sys.modules.pop("scipy.special", None)
        import scipy.special._ufuncs as ufuncs

        return ufuncs


def _load_ufuncs_before_package() -> Any:
    import scipy

    spec = importlib.util.find_spec("scipy.special")
    if spec is None or spec.loader is None:
        raise ImportError("scipy.special")
    loader = spec.loader
    package = importlib.util.module_from_spec(spec)
    sys.modules["scipy.special"] = package
    ufuncs = importlib.import_module("scipy.special._ufuncs")
    ufuncs.ndtri, ufuncs.ndtr, ufuncs.stdtr, ufuncs.stdtrit, ufuncs._beta_ppf  # noqa: B018
    lock = threading.RLock()

    def run_package(name: str) -> Any:
        with lock:
            if vars(package).pop("__getattr__", None) is not None:
                loader.exec_module(package)
        return getattr(package, name)

    package.__getattr__ = run_package  # type: ignore[method-assign]
    scipy.special = package  # type: ignore[attr-defined]
    return ufuncs


@cache
def _ppf_ufunc(distribution: str) -> Any:
    """What ``scipy.stats.<distribution>._ppf`` calls (the ``_<distribution>_ppf`` ufunc), or, in
    a scipy that moved it, the public and slower-to-import ``scipy.stats.<distribution>.ppf``."""
    try:
        return getattr(_ufuncs(), f"_{distribution}_ppf")
    except AttributeError:
        return getattr(importlib.import_module("scipy.stats"), distribution).ppf
