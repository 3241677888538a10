"""A figure a gate compared with its limit is shown with the digits that tell it from the limit.
At four significant digits a mean of 0.100004 read "0.1" beside its failed gate "≤ 0.1" in the
console, report.md, report.html, JUnit ("checked 0.1"), the annex and the pytest plugin: a
failure that reads as a figure exactly at its limit, which passes. Observed with 25 cases whose
``float(response)`` are 0.1 and one 0.1001 under ``{metric: val_mean, max: 0.1}``."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.formatting import interval, num_beside, threshold
from assurance_harness.report.junit import render_junit
from assurance_harness.report.markdown import render_markdown
from assurance_harness.report.rundata import load_run

from .runfixtures import gate, mean_metric, row, write_run


@pytest.mark.parametrize("value", [0.100004, 0.0999996])
def test_a_figure_stands_on_the_side_of_its_limit_it_is_on(value: float) -> None:
    text = num_beside(value, {"max": 0.1})
    assert (float(text) > 0.1) == (value > 0.1)
    assert (float(text) < 0.1) == (value < 0.1)


def test_a_figure_on_its_limit_within_rounding_noise_reads_as_the_limit() -> None:
    # It meets the limit (``limits``); beside a gate that failed (a summary written before
    # 2026-12-07 failed it, strictly) it keeps the digits that put it over.
    assert num_beside(0.10000000000000002, {"max": 0.1, "verdict": "pass"}) == "0.1"
    assert num_beside(0.10000000000000002, {"max": 0.1}) == "0.1"
    text = num_beside(0.10000000000000002, {"max": 0.1, "verdict": "fail"})
    assert float(text) == 0.10000000000000002


def test_a_figure_clear_of_its_limit_or_on_it_keeps_four_digits() -> None:
    assert num_beside(0.1, {"max": 0.1}) == "0.1"
    assert num_beside(0.0200004, {"max": 0.1}) == "0.02"
    assert num_beside(0.94, {"min": 0.9, "max": None}) == "0.94"
    assert num_beside(None, {"max": 0.1}) == "–"
    assert interval(0.03, 0.100004, beside={"max": 0.1}) == "[0.03, 0.100004]"


def test_a_limit_is_shown_as_written() -> None:
    assert threshold({"max": 0.12345}) == "≤ 0.12345"
    assert threshold({"max": 100.0, "min": 0.9}) == "≤ 100 and ≥ 0.9"


def test_the_reports_do_not_show_a_failed_mean_as_its_limit(tmp_path: Path) -> None:
    rows = [row(f"c{i}", response="0.1001" if i == 0 else "0.1") for i in range(25)]
    metric = mean_metric(rows, "float(response)", lambda r: float(r["response"]))
    assert metric["value"] > 0.1
    failed = gate("val_mean", metric, max=0.1)
    assert failed["verdict"] == "fail"
    run = load_run(write_run(tmp_path / "reports", "r1", rows, {"val_mean": metric}, [failed]))
    markdown = render_markdown(run)
    assert "| 0.100004 (point estimate) | 0.100004 |" in markdown
    assert "checked 0.100004; estimate 0.100004" in render_junit(run)
