"""Expressions that read only a case's metadata (``meta.score``, ``meta.lang == 'en'``), read
on the case before any run: a row's ``meta`` is its case's metadata (``runner.run._row``), so
such an expression gives each row of a case what it gives the case, and ``validate`` can count
what a run's rows will hold from the cases alone."""

from __future__ import annotations

from typing import Any

from ..metrics.expr import ExpressionError, evaluate, names_read

METADATA_NAMES = frozenset({"meta", "metadata"})
"""The names a row gives its case's metadata by."""


def reads_only_metadata(text: Any) -> bool:
    """Whether ``text`` is an expression that reads a case's metadata and nothing else (no
    scorer's field, no response, no ``error``): its value on every row is known from the case.
    False for one that does not parse (the syntax check reports it) or reads nothing."""
    if not isinstance(text, str):
        return False
    try:
        names = names_read(text)
    except ExpressionError:
        return False
    return bool(names) and names <= METADATA_NAMES


def on_case(text: str, metadata: dict[str, Any]) -> Any:
    """A metadata-only expression's value on each row of the case with this metadata, read by
    the run's own evaluator (NaN null, as there)."""
    return evaluate(text, {"metadata": metadata})
