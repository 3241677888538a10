"""``trend`` labels each run's interval with the level it was computed at. Observed: a suite
whose metric sets ``confidence: 0.999`` showed "[0.1495, 1]" in the trend's interval column
and no level in its JSON, beside ``compare``'s "99.9% CI" for the same figures: a reader takes
an unlabelled interval for the usual 95%."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_project

SUITE = (
    "suite: trend-level\ncases:\n  - {id: a, prompt: hi}\n  - {id: b, prompt: there}\n"
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched, confidence: 0.999}]\ngates: [{metric: r, min: 0.5}]\n"
)


def test_a_999_interval_reads_999_in_the_trend(tmp_path: Path) -> None:
    echo_project(tmp_path, suite="trend-level")
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr

    shown = run_cli("trend", "trend-level", "r", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "99.9% [" in shown.stdout, shown.stdout
    as_json = run_cli("trend", "trend-level", "r", "-f", "json", cwd=tmp_path)
    (point,) = json.loads(as_json.stdout)["points"]
    assert point["confidence"] == 0.999, point
