"""Shared fixtures: offline by default, tiny suites written to tmp dirs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from .testing.postgres import pg_url, postgres_cluster  # noqa: F401  (shared fixtures)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
# The exemplar embeddings the refusal, age and solicitation scorers fit on are kept here, not in
# the user's ~/.cache: one folder for every test process (and the CLI subprocesses they start),
# so the tests share the arrays the first of them computes, as a user's runs do.
os.environ.setdefault(
    "ASSURANCE_CACHE_DIR",
    str(Path(tempfile.gettempdir()) / f"assurance-harness-tests-{os.getuid()}"),
)

REPO = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first (each keeps its order): on ``make test``'s processes a
    20-second test collected last (the root folder's files come after the sub-folders) ran on
    one while the others had nothing left, and the suite is held to 15 minutes. Those marked
    last come last: the other processes are then past their Ray tests."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("last") is not None,
            item.get_closest_marker("slow") is None,
        )
    )


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def write(tmp_path: Path):
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write
