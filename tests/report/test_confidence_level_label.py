"""A metric's confidence level is shown as it is, not rounded to a whole percent: a rate with
``confidence: 0.999`` read "100% CI" in the console, the run report's Confidence column, the
annex and the register views (a 100% interval is every value there is), and ``0.975`` read
"98%". Observed on a suite of 25 cases with ``{id: r, rate: ..., confidence: 0.999}``: the
console's CI cell "100% [2e-05, 0.3353]", summary.json ``"confidence": 0.999``."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.formatting import figure, labelled_interval, metric_figure
from assurance_harness.report.html import render_html
from assurance_harness.report.rundata import load_run

from .runfixtures import gate, rate_metric, row, write_run


@pytest.mark.parametrize(
    ("confidence", "label"), [(0.999, "99.9%"), (0.975, "97.5%"), (0.95, "95%"), (0.9, "90%")]
)
def test_the_level_reads_as_recorded(confidence: float, label: str) -> None:
    assert figure(0.04, 2e-05, 0.3353, 25, confidence=confidence).endswith(f" {label} CI (n=25)")
    metric = {"value": 0.04, "ci_low": 2e-05, "ci_high": 0.3353, "n": 25}
    assert f" {label} CI " in metric_figure({**metric, "confidence": confidence})
    assert labelled_interval(2e-05, 0.3353, confidence) == f"{label} [2e-05, 0.3353]"


def test_the_run_report_shows_a_999_interval_as_999(tmp_path: Path) -> None:
    rows = [row(f"c{i}", scores={"tox": {"toxicity": 0.9 if i == 0 else 0.0}}) for i in range(25)]
    metric = rate_metric(rows, "tox.toxicity > 0.5", lambda r: r["scores"]["tox"]["toxicity"] > 0.5)
    metric["confidence"] = 0.999
    run_dir = write_run(
        tmp_path / "reports", "r1", rows, {"r": metric}, [gate("r", metric, max=0.5)]
    )
    html = render_html(load_run(run_dir))
    assert '<td class="num">99.9%</td>' in html
    assert '<td class="num">100%</td>' not in html
