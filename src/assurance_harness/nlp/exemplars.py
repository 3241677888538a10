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
from ..store.files import home_expanded, sha256_file, working_directory_hint

T = TypeVar("T")

_lock = threading.Lock()
_fitted: dict[tuple[str, str], Any] = {}


def resolve_exemplars(
    path: str | None, default_relative: str, *, base_dir: Path | None = None
) -> Path:
    """The exemplar file to train on: an explicit path (read from the working directory, as a
    model folder's is), or the one bundled with the package. ``base_dir``: the suite's folder,
    named in the hint when the file is there and not here."""
    if path:
        resolved = home_expanded(path)
        if not resolved.is_file():
            what = "is not a file" if resolved.exists() else "exemplar file not found"
            raise ConfigError.single(
                str(resolved),
                what,
                hint=working_directory_hint(resolved, base_dir) or "give an existing JSONL file",
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


def exemplar_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) of an exemplar file; each row needs a string ``text``. Malformed
    lines are file:line errors. Each scorer checks its labels on these, with their lines, at
    ``validate`` (``Scorer.check_files``) and again as it fits."""
    from ..spec.datasets import jsonl_rows

    rows = []
    for number, row in jsonl_rows(path):
        if not isinstance(row.get("text"), str):
            raise ConfigError.single(
                str(path), "each line needs a string field 'text'", line=number
            )
        rows.append((number, row))
    return rows


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Exemplar rows (:func:`exemplar_rows` without their line numbers)."""
    return [row for _, row in exemplar_rows(path)]


def file_sha256(path: Path) -> str:
    return sha256_file(path)


def fitted_once(kind: str, path: Path, fit: Callable[[], T]) -> T:
    """Fit on first use and keep the result for the process, keyed by the file's content hash."""
    key = (kind, file_sha256(path))
    with _lock:
        if key not in _fitted:
            _fitted[key] = fit()
        return _fitted[key]  # type: ignore[no-any-return]
