"""A risk's ``last_reviewed`` later than today is a data-entry error, reported at load with
the file, the line, the risk and the fix (one day of tolerance for time zones)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.register.loader import load_register

from ..testing.cli import run_cli

REGISTER = """\
system:
  name: helper
  intended_use: homework help
  owner: Head of Product
risks:
  - id: R-001
    title: Toxic content
    category: safety
    owner: T&S
    likelihood: 3
    impact: 5
    last_reviewed: {date}
"""


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _write(tmp_path: Path, date: dt.date) -> Path:
    path = tmp_path / "risk_register.yaml"
    path.write_text(REGISTER.format(date=date.isoformat()), encoding="utf-8")
    return path


def test_a_review_date_after_today_is_refused_with_one_line(tmp_path: Path) -> None:
    future = _today() + dt.timedelta(days=30)
    path = _write(tmp_path, future)
    with pytest.raises(ConfigError) as info:
        load_register(path)
    messages = [str(issue) for issue in info.value.issues]
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"{path}:12: risks[0].last_reviewed: risk R-001 "), messages
    assert future.isoformat() in messages[0]
    assert "\n" not in messages[0]


@pytest.mark.parametrize("days", [0, 1, -400])
def test_today_tomorrow_and_the_past_are_accepted(tmp_path: Path, days: int) -> None:
    date = _today() + dt.timedelta(days=days)
    loaded = load_register(_write(tmp_path, date))
    assert loaded.register.risks[0].last_reviewed == date


def test_register_validate_exits_2_naming_the_risk(tmp_path: Path) -> None:
    path = _write(tmp_path, _today() + dt.timedelta(days=365))
    proc = run_cli("register", "validate", "--register", path, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"{path}:12: risks[0].last_reviewed: risk R-001" in proc.stderr
