"""A trend leaves out a run of the suite whose files cannot be read, and says so (issue 12,
"never silently wrong"). Observed: ``assurance trend`` and the trend page dropped such a run
without a word, so a gap in the series read as no run having been made.
"""

from __future__ import annotations

from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs

SUITE = (
    "suite: trended\ncases:\n  - {id: a, prompt: hi}\n  - {id: b, prompt: there}\n"
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)


def test_a_damaged_run_of_the_suite_is_named_as_left_out(tmp_path: Path) -> None:
    (tmp_path / "trend_bot.py").write_text(
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: trend_bot:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    for _ in range(2):
        done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    first, second = sorted(p for p in (tmp_path / "reports").iterdir() if p.is_dir())
    (first / "summary.json").write_text('{"run_id": ', encoding="utf-8")  # cut short

    shown = run_cli("trend", "trended", "r", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert second.name in shown.stdout and first.name not in shown.stdout
    warnings = [line for line in shown.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1, shown.stderr
    assert first.name in warnings[0] and "summary.json" in warnings[0]


def test_every_run_of_the_suite_left_out_is_named_not_a_metric_in_no_run(tmp_path: Path) -> None:
    """Observed: with its only run's summary.json edited since the run, trend said "metric 'r'
    is in no run of suite ...; metrics: none", not that the run is there and why it was left
    out (with one of two runs left out it warned)."""
    (run,) = echo_runs(tmp_path, "all-left-out")
    summary = run / "summary.json"
    summary.write_text(summary.read_text().replace('"run_id": ', '"run_id":  ', 1))

    shown = run_cli("trend", "all-left-out", "r", cwd=tmp_path)
    assert shown.returncode == 2, shown.stdout + shown.stderr
    assert "metrics: none" not in shown.stderr, shown.stderr
    left = [line for line in shown.stderr.splitlines() if "left out" in line]
    assert left and run.name in left[0] and "summary.json" in left[0], shown.stderr
