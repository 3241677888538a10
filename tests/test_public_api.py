"""The public API: ``assurance_harness`` exports what a user or plugin author needs, lazily."""

from __future__ import annotations

import subprocess
import sys

import assurance_harness


def test_every_public_name_resolves() -> None:
    assert set(assurance_harness.__all__) == {"__version__", *assurance_harness._EXPORTS}
    for name in assurance_harness.__all__:
        assert getattr(assurance_harness, name) is not None, name
    assert {
        "load_suite",
        "run_suite",
        "read_run",
        "Scorer",
        "Target",
        "MetricKind",
        "Expander",
    } <= set(assurance_harness.__all__)
    assert {"HarnessError", "ConfigError", "MissingDependencyError"} <= set(
        assurance_harness.__all__
    )


def test_public_names_are_the_deep_ones() -> None:
    from assurance_harness.errors import ConfigError
    from assurance_harness.scorers.base import Scorer, register_scorer
    from assurance_harness.spec.loader import load_suite
    from assurance_harness.store.runread import read_run

    assert assurance_harness.Scorer is Scorer
    assert assurance_harness.register_scorer is register_scorer
    assert assurance_harness.load_suite is load_suite
    assert assurance_harness.read_run is read_run
    assert assurance_harness.ConfigError is ConfigError


def test_unknown_name_is_an_attribute_error() -> None:
    try:
        assurance_harness.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_is_cheap() -> None:
    """Importing the package loads none of the heavy libraries; a name loads only its module."""
    code = (
        "import sys, assurance_harness\n"
        "heavy = {'pydantic', 'torch', 'pandas', 'numpy', 'rich', 'typer', 'yaml'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
        "assurance_harness.HarnessError\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.splitlines() == ["[]", "[]"], proc.stdout


def test_the_old_model_module_still_imports_with_a_deprecation_warning() -> None:
    """``model.py`` was renamed ``datatypes.py``; plugins importing the old path keep working
    for one release and are told to move."""
    import importlib
    import sys
    import warnings

    from assurance_harness import datatypes

    sys.modules.pop("assurance_harness.model", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module("assurance_harness.model")
    assert old.Case is datatypes.Case and old.ResponseRecord is datatypes.ResponseRecord
    assert any(
        issubclass(w.category, DeprecationWarning)
        and "assurance_harness.datatypes" in str(w.message)
        for w in caught
    )
