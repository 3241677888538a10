"""Every interval a run's reports show carries its level: report.md's gates and metrics tables
and the JUnit message wrote ``[2e-05, 0.3353]`` alone for a 0.999 interval, which reads as the
95% one everyone assumes (the HTML report has a Confidence column; these had none)."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.report.junit import render_junit
from assurance_harness.report.markdown import render_markdown
from assurance_harness.report.rundata import load_run

from .runfixtures import gate, rate_metric, row, write_run


def _run(tmp_path: Path) -> Path:
    rows = [row(f"c{i}", scores={"tox": {"toxicity": 0.9 if i < 3 else 0.0}}) for i in range(25)]
    metric = rate_metric(rows, "tox.toxicity > 0.5", lambda r: r["scores"]["tox"]["toxicity"] > 0.5)
    metric["confidence"] = 0.999
    return write_run(tmp_path / "reports", "r1", rows, {"r": metric}, [gate("r", metric, max=0.01)])


def test_report_md_labels_each_interval_with_its_level(tmp_path: Path) -> None:
    text = render_markdown(load_run(_run(tmp_path)))
    rows = [line for line in text.splitlines() if "[0.04167, 0.2996]" in line]
    assert len(rows) == 2, text  # the gate's row and the metric's
    for line in rows:
        assert "99.9% [0.04167, 0.2996]" in line, line


def test_junit_labels_the_interval_with_its_level(tmp_path: Path) -> None:
    xml = render_junit(load_run(_run(tmp_path)))
    assert "interval 99.9% [" in xml, xml
