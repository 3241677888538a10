"""Labelled exemplar files and small classifiers fitted on their sentence embeddings.

Refusal and age-category detection both train a logistic regression on hand-written exemplars
(package data: ``assurance_harness/data/refusal``, ``.../data/age``) the first time a run needs
it. Fitting takes seconds,
so the fitted model is kept in memory for the process rather than shipped as a pickle: the
exemplar file is the single source of truth, and its hash is recorded as the model version.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ConfigError, MissingDependencyError
from ..store.files import sha256_file

T = TypeVar("T")

_lock = threading.Lock()
_fitted: dict[tuple[str, str], Any] = {}


def resolve_exemplars(path: str | None, default_relative: str) -> Path:
    """The exemplar file to train on: an explicit path, or the one bundled with the package."""
    if path:
        resolved = Path(path).expanduser()
        if not resolved.is_file():
            raise ConfigError.single(
                str(resolved), "exemplar file not found", hint="give an existing JSONL file"
            )
        return resolved
    from ..data import bundled

    default = bundled(default_relative)
    if not default.is_file():
        raise MissingDependencyError(
            f"the bundled exemplars '{default_relative}' are missing from the installed package "
            f"({default}); reinstall assurance-harness, or pass the file with the scorer "
            "parameter 'exemplars'"
        )
    return default


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Exemplar rows; each needs a string ``text``. Malformed lines are file:line errors."""
    from ..spec.datasets import jsonl_rows

    rows = []
    for number, row in jsonl_rows(path):
        if not isinstance(row.get("text"), str):
            raise ConfigError.single(
                str(path), "each line needs a string field 'text'", line=number
            )
        rows.append(row)
    return rows


def file_sha256(path: Path) -> str:
    return sha256_file(path)


def fitted_once(kind: str, path: Path, fit: Callable[[], T]) -> T:
    """Fit on first use and keep the result for the process, keyed by the file's content hash."""
    key = (kind, file_sha256(path))
    with _lock:
        if key not in _fitted:
            _fitted[key] = fit()
        return _fitted[key]  # type: ignore[no-any-return]
