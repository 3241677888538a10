"""``assurance trend`` over runs whose figures or files are not what a clean run writes: a plot
or one ``error:`` line, never an internal error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.summary_edits import reseal_summary

from ..report.runfixtures import toxicity_run


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    root = tmp_path / "reports"
    for run_id, toxic, day in (("n1", {1, 2, 3}, 1), ("n2", {4, 5, 6, 7}, 2)):
        toxicity_run(root, run_id, toxic, started_at=f"2026-11-0{day}T03:15:00+00:00", index=True)
    return root


def _edit_metric(run_dir: Path, **figures: float) -> None:
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text())
    summary["metrics"]["toxic_rate"].update(figures)
    path.write_text(json.dumps(summary, indent=2))
    reseal_summary(run_dir)  # figures a plugin could have written, not a hand edit


def _trend(reports: Path, out: Path) -> tuple[int, str]:
    proc = run_cli("trend", "toxicity-core", "toxic_rate", "--reports", reports, "-o", out)
    return proc.returncode, proc.stdout + proc.stderr


def test_a_point_estimate_just_outside_its_interval_is_plotted(
    reports: Path, tmp_path: Path
) -> None:
    """A bootstrap interval can miss its own point estimate by rounding (report.plots clips
    its whiskers for that); the trend plot raised matplotlib's 'yerr must not contain negative
    values' instead."""
    summary = json.loads((reports / "n2" / "summary.json").read_text())
    value = summary["metrics"]["toxic_rate"]["value"]
    _edit_metric(reports / "n2", ci_high=value - 1e-12)
    out = tmp_path / "trend.png"
    code, text = _trend(reports, out)
    assert code == 0, text
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("content", [b"[]", b'{"run_id": "\xff"}'])
def test_a_summary_that_is_not_a_json_object_does_not_stop_the_trend(
    reports: Path, tmp_path: Path, content: bytes
) -> None:
    """Sorting the runs read each summary.json's start time with a reader that knew neither
    bytes that are not UTF-8 nor JSON that is not an object."""
    (reports / "n2" / "summary.json").write_bytes(content)
    out = tmp_path / "trend.png"
    code, text = _trend(reports, out)
    assert "internal error" not in text
    assert code == 0, text
    assert "n1" in text


@pytest.mark.parametrize(
    ("field", "value"),
    [("value", "0.1"), ("ci_low", [0])],
)
def test_a_figure_that_is_not_a_number_is_noted_not_plotted(
    reports: Path, tmp_path: Path, field: str, value: object
) -> None:
    """A metric plugin may write a figure that is not a number (the report draws the rest and
    says which figure it could not draw): trend and the evidence annex ended in an internal
    error (TypeError) on it; now they note it, as the report does, and compare names it and
    gives no verdict on it."""
    _edit_metric(reports / "n2", **{field: value})
    code, text = _trend(reports, tmp_path / "trend.png")
    assert "internal error" not in text, text
    assert code == 0, text
    assert f"n2: toxic_rate: not a number: {field} " in text, text
    proc = run_cli("evidence", "pack", "n2", "--reports", reports, "-o", tmp_path / "annex")
    text = proc.stdout + proc.stderr
    assert "internal error" not in text, text
    assert proc.returncode == 0, text
    annex = (tmp_path / "annex" / "annex.md").read_text()
    assert "the metrics figure was not drawn (TypeError" in annex
    compared = run_cli("compare", "n1", "n2", "--reports", reports)
    text = compared.stdout + compared.stderr
    assert "internal error" not in text
    # No verdict on a figure that is none (tests/compare/test_compare_odd_figures.py).
    assert compared.returncode == 3, text
    assert f"metrics.toxic_rate.{field} is " in text, text


def test_a_count_that_is_not_a_number_leaves_the_run_out_and_says_so(
    reports: Path, tmp_path: Path
) -> None:
    """A metric's ``n`` is a count readers compute with (``store.runlog.MetricFigures``): a
    run whose ``n`` is no integer is damaged, named as left out of the trend, and refused by
    the commands that read it whole."""
    _edit_metric(reports / "n2", n={"n": 1})
    code, text = _trend(reports, tmp_path / "trend.png")
    assert code == 0, text
    assert "left out" in text and "metrics.toxic_rate.n" in text, text
    proc = run_cli("evidence", "pack", "n2", "--reports", reports, "-o", tmp_path / "annex")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "metrics.toxic_rate.n" in proc.stderr and "internal error" not in proc.stderr
