"""A ``timeout_s`` no request can meet (``1e-300``: every request times out) is a configuration
error at ``validate`` and ``run`` (exit 2, file:line), not a run of failed requests (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli, run_project

SUITE = "suite: s\ncases: [{id: a, prompt: hi}]\nmetrics: [{id: failed, rate: error}]\n"


def _target(timeout: str) -> str:
    return f"type: openai\nbase_url: http://127.0.0.1:9/v1\nmodel: m\ntimeout_s: {timeout}\n"


@pytest.mark.parametrize("timeout", ["1e-300", "0.001", "0", "-1", ".nan", ".inf"])
def test_a_timeout_no_request_can_meet_is_refused(tmp_path: Path, timeout: str) -> None:
    (tmp_path / "s.yaml").write_text(SUITE)
    (tmp_path / "t.yaml").write_text(_target(timeout))
    for proc in (run_cli("validate", tmp_path / "t.yaml"), run_project(tmp_path)):
        text = proc.stdout + proc.stderr
        assert proc.returncode == 2, text
        assert "t.yaml:4: timeout_s:" in text and "Traceback" not in text, text


def test_a_short_timeout_still_validates(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(_target("0.01"))
    proc = run_cli("validate", tmp_path / "t.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
