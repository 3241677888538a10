"""Group names and perturbation labels are data (a dataset author's): a chart draws them as the
text they are, in the run report and in the annex.

Was: the run report's charts gave them to matplotlib raw, which read ``$...$`` as mathtext, so
a group ``$x^2$`` drew as x squared and one holding an unclosed ``$\\nope{$`` lost the whole
chart, its red bars of failing groups too ("Figure not drawn: r by group: ValueError"); and a
control character (ESC, BEL) in a label drew as a missing glyph while matplotlib's warning
("Glyph 27 (\\x1b) missing") wrote the character raw to the terminal, in both reports."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from assurance_harness.register.annex_plots import metrics_figure
from assurance_harness.report.plots import group_bars, perturbation_bars
from assurance_harness.report.rundata import RunData, load_run

from .runfixtures import rate_metric, row, write_run

HOSTILE = ("$\\nope{$", "g\x1b[31mred\x07", "$x^2$")


def _summary() -> dict[str, Any]:
    group = {"value": 0.5, "ci_low": 0.1, "ci_high": 0.9, "n": 4}
    metric = {"kind": "rate", **group, "n": 12, "groups": dict.fromkeys(HOSTILE, group)}
    return {"metrics": {"r": metric}, "gates": []}


def _drawn(draw: Any) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = draw()
    return out, [str(w.message) for w in caught]


def test_the_report_draws_group_names_as_text(tmp_path: Path) -> None:
    problems: list[str] = []
    plots, warned = _drawn(lambda: group_bars(RunData(dir=tmp_path, summary=_summary()), problems))
    assert problems == []
    assert [p.title for p in plots] == ["r by group"]
    assert warned == []


def test_the_report_draws_perturbation_labels_as_text(tmp_path: Path) -> None:
    rows = [
        row(f"c{i}", scores={"m": {"hit": i % 2 == 0}}, metadata={"perturbation": label})
        for i, label in enumerate(HOSTILE * 2)
    ]
    metric = rate_metric(rows, "m.hit", lambda r: r["scores"]["m"]["hit"])
    run = load_run(write_run(tmp_path, "run-pert", rows, {"r": metric}, []))
    plots, warned = _drawn(lambda: perturbation_bars(run))
    assert [p.title for p in plots] == ["Robustness: r by perturbation"]
    assert warned == []


def test_the_annex_draws_group_names_as_text() -> None:
    png, warned = _drawn(lambda: metrics_figure(_summary(), title="run 1"))
    assert png
    assert warned == []


def test_chart_text_shows_dollars_and_control_characters_as_they_are() -> None:
    from assurance_harness.formatting.visible import plot_text

    assert plot_text("$x^2$ g\x1b[31m\x07") == "\\$x^2\\$ g\\x1b[31m\\x07"
    assert plot_text("$abc", limit=2) == "\\$a"
