"""Fixtures for the register tests; the run-directory builder lives in register_testkit.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.register import evidence_map
from assurance_harness.register.runfiles import RunFiles

from .register_testkit import MADE_BY_HAND


@pytest.fixture(autouse=True)
def _hand_made_summaries_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test kit's runs (``make_run``) skip the summary check: their figures are set by the
    test, not measured from their rows. Every other run, real or edited, is checked."""
    check = evidence_map.check_summary

    def unless_hand_made(run: RunFiles) -> str | None:
        return None if run.dir.resolve() in MADE_BY_HAND else check(run)

    monkeypatch.setattr(evidence_map, "check_summary", unless_hand_made)


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    path = tmp_path / "reports"
    path.mkdir()
    return path


@pytest.fixture
def ledger(reports: Path) -> Path:
    return reports / "evidence" / "ledger.jsonl"
