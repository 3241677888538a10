"""Fixtures for the register tests; the run-directory builder lives in register_testkit.py."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    path = tmp_path / "reports"
    path.mkdir()
    return path


@pytest.fixture
def ledger(reports: Path) -> Path:
    return reports / "evidence" / "ledger.jsonl"
