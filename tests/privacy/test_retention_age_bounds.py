"""``runs purge`` with an age no calendar can subtract (``--older-than 9999999d``, or a huge
``privacy.retention_days``) is one line and exit 2, not an OverflowError reported as a bug."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli


@pytest.mark.parametrize("age", ["9999999d", "99999999999d", "99999999999999w"])
def test_an_age_beyond_the_calendar_is_a_usage_error(tmp_path: Path, age: str) -> None:
    (tmp_path / "reports").mkdir()
    proc = run_cli("runs", "purge", "--older-than", age, "--dry-run", cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "internal error" not in text and "--older-than" in text


def test_a_retention_period_beyond_the_calendar_is_a_located_config_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "assurance.yaml").write_text("privacy:\n  retention_days: 99999999999\n")
    proc = run_cli("runs", "purge", "--dry-run", cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "internal error" not in text
    assert "assurance.yaml:2" in text and "retention_days" in text
