"""Fixtures for report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .hostile import build_hostile_run


@pytest.fixture
def hostile_run(tmp_path: Path) -> Path:
    return build_hostile_run(tmp_path / "reports")
