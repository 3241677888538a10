"""assurance-harness: behavioural evaluation of deployed AI models, carried into a risk register.

The public API is what ``__all__`` lists; everything else (modules and names reached by deeper
paths) may change between releases. Names load lazily on first use, so ``import
assurance_harness`` stays cheap (no pydantic models, no torch, no pandas)::

    from assurance_harness import load_suite, read_run, run_suite
    from assurance_harness import Scorer, ScorerParams, register_scorer   # writing a plugin
"""

from __future__ import annotations

# First of all: Ctrl-C while the `assurance` command starts is a quiet exit 130 (cli_startup);
# in any other process that imports the package it changes nothing. Held from this first line
# on, so a Ctrl-C while Python finds and loads cli_startup itself is not a traceback either:
# cli_startup then decides what it was (`settle`). `_signal`, the C module, is built in: no
# file to find.
import _signal as _startup_signal

_startup_held: list[int] = []


def _startup_hold(signum: int, _frame: object) -> None:
    _startup_held.append(signum)


if _startup_signal.getsignal(_startup_signal.SIGINT) is _startup_signal.default_int_handler:
    try:  # noqa: SIM105 - nothing more is imported before cli_startup, on purpose
        _startup_signal.signal(_startup_signal.SIGINT, _startup_hold)
    except ValueError:  # imported by a thread other than the main one: not its to set
        pass

from . import cli_startup  # noqa: E402

cli_startup.settle(_startup_hold, _startup_held)
del _startup_signal

# isort: split
from importlib import import_module  # noqa: E402 - after the hold, on purpose
from typing import TYPE_CHECKING, Any  # noqa: E402

__version__ = "0.1.0"

# name -> module (relative to this package) that defines it
_EXPORTS: dict[str, str] = {
    # running suites
    "load_suite": ".spec.loader",
    "LoadedSuite": ".spec.loader",
    "run_suite": ".runner.run",
    "RunOutcome": ".runner.run",
    # reading a finished run's files
    "read_run": ".store.runread",
    "RunLog": ".store.runread",
    # plugin base classes and their registration decorators
    "Target": ".targets.base",
    "TargetSpec": ".targets.base",
    "register_target": ".targets.base",
    "Scorer": ".scorers.base",
    "ScorerParams": ".scorers.base",
    "register_scorer": ".scorers.base",
    "MetricKind": ".metrics.base",
    "MetricParams": ".metrics.base",
    "MetricValue": ".metrics.base",
    "register_metric": ".metrics.base",
    "Expander": ".expand.base",
    "ExpanderParams": ".expand.base",
    "register_expander": ".expand.base",
    # the data plugins see
    "Case": ".datatypes",
    "ScoreInput": ".datatypes",
    "SuiteContext": ".datatypes",
    # errors a caller can act on
    "HarnessError": ".errors",
    "ConfigError": ".errors",
    "ConfigIssue": ".errors",
    "UsageError": ".errors",
    "MissingDependencyError": ".errors",
    "RunFailedError": ".errors",
}

__all__ = [
    "Case",
    "ConfigError",
    "ConfigIssue",
    "Expander",
    "ExpanderParams",
    "HarnessError",
    "LoadedSuite",
    "MetricKind",
    "MetricParams",
    "MetricValue",
    "MissingDependencyError",
    "RunFailedError",
    "RunLog",
    "RunOutcome",
    "ScoreInput",
    "Scorer",
    "ScorerParams",
    "SuiteContext",
    "Target",
    "TargetSpec",
    "UsageError",
    "__version__",
    "load_suite",
    "read_run",
    "register_expander",
    "register_metric",
    "register_scorer",
    "register_target",
    "run_suite",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:  # static checkers and editors see the real names
    from .datatypes import Case, ScoreInput, SuiteContext
    from .errors import (
        ConfigError,
        ConfigIssue,
        HarnessError,
        MissingDependencyError,
        RunFailedError,
        UsageError,
    )
    from .expand.base import Expander, ExpanderParams, register_expander
    from .metrics.base import MetricKind, MetricParams, MetricValue, register_metric
    from .runner.run import RunOutcome, run_suite
    from .scorers.base import Scorer, ScorerParams, register_scorer
    from .spec.loader import LoadedSuite, load_suite
    from .store.runread import RunLog, read_run
    from .targets.base import Target, TargetSpec, register_target
