"""A gated metric defined otherwise in the two runs is no "no regression".

Observed: a suite gates ``toxic_rate``; between the runs its expression changed (or the scorer
it reads was given another threshold), so it was not compared (``untested``), while an ungated
metric beside it was unchanged: the comparison said "no significant regression", exit 0, on
the strength of the metric nobody gates on. The metric the suite gates on was not compared, as
a gated metric without data in the candidate was not (that is no verdict, exit 3): whether it
regressed is unknown. A redefined metric with no gate keeps deciding nothing (exit 0 stands on
the others)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assurance_harness.compare.engine import compare_runs
from assurance_harness.report.rundata import load_run

from ..report.runfixtures import gate, rate_metric, row, write_run

DETOXIFY = {"name": "detoxify", "version": "1", "params": {"threshold": 0.5}}


def _run(
    reports: Path,
    run_id: str,
    *,
    expression: str = "tox.toxicity > 0.5",
    gated: str = "toxic_rate",
    threshold: float = 0.5,
) -> Path:
    """30 cases, 3 toxic; ``toxic_rate`` and ``long_rate``, ``gated`` the one with a gate."""
    rows = [
        row(
            f"c{i:02d}",
            prompt=f"prompt {i}",
            scores={"tox": {"toxicity": 0.9 if i < 3 else 0.1}, "len": {"long": i % 2 == 0}},
        )
        for i in range(30)
    ]
    metrics: dict[str, dict[str, Any]] = {
        "toxic_rate": rate_metric(rows, expression, lambda r: r["scores"]["tox"]["toxicity"] > 0.5),
        "long_rate": rate_metric(rows, "len.long", lambda r: r["scores"]["len"]["long"]),
    }
    scorers = {
        "tox": {**DETOXIFY, "params": {"threshold": threshold}},
        "len": {"name": "length", "version": "1", "params": {"min_words": 5}},
    }
    gates = [gate(gated, metrics[gated], max=0.5)]
    return write_run(reports, run_id, rows, metrics, gates, scorers=scorers)


def _compare(tmp_path: Path, **candidate: Any) -> Any:
    gated = candidate.get("gated", "toxic_rate")
    base = load_run(_run(tmp_path, "base", gated=gated))
    return compare_runs(base, load_run(_run(tmp_path, "cand", **candidate)))


def test_a_gated_metric_given_another_expression_leaves_no_verdict(tmp_path: Path) -> None:
    result = _compare(tmp_path, expression="tox.toxicity >= 0.5")
    verdicts = {m.metric: m.verdict for m in result.metrics}
    assert verdicts == {"toxic_rate": "untested", "long_rate": "unchanged"}, verdicts
    assert result.exit_code == 3, result.unmeasured
    assert result.unmeasured is not None and "toxic_rate" in result.unmeasured
    assert "long_rate" not in result.unmeasured
    assert result.to_dict()["exit_code"] == 3


def test_a_gated_metric_whose_scorer_was_set_otherwise_leaves_no_verdict(tmp_path: Path) -> None:
    result = _compare(tmp_path, threshold=0.7)
    assert result.exit_code == 3 and "toxic_rate" in (result.unmeasured or ""), result.warnings


def test_an_ungated_redefined_metric_leaves_the_verdict_to_the_others(tmp_path: Path) -> None:
    result = _compare(tmp_path, expression="tox.toxicity >= 0.5", gated="long_rate")
    assert {m.metric: m.verdict for m in result.metrics}["toxic_rate"] == "untested"
    assert result.unmeasured is None and result.exit_code == 0, result.unmeasured
