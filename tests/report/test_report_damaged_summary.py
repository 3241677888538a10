"""``assurance report`` (and every reader of a run) on a summary.json edited by hand so that a
metric's or a gate's entry has the wrong shape: one line naming the file and the field, exit 2,
never an internal error and never a report that reads a number into a string's letters."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.testing.cli import run_cli

from .runfixtures import toxicity_run

Edit = Callable[[dict[str, Any]], None]


def _gate(summary: dict[str, Any]) -> dict[str, Any]:
    gate: dict[str, Any] = summary["gates"][0]
    return gate


def _metric(summary: dict[str, Any]) -> dict[str, Any]:
    metric: dict[str, Any] = next(iter(summary["metrics"].values()))
    return metric


EDITS: dict[str, tuple[Edit, str]] = {
    "failing groups a number": (lambda s: _gate(s).update(failing_groups=5), "failing_groups"),
    "worst cases a number": (lambda s: _gate(s).update(worst_cases=5), "worst_cases"),
    "worst cases a string": (lambda s: _gate(s).update(worst_cases="case-1#0"), "worst_cases"),
    "gate n a word": (lambda s: _gate(s).update(n="many"), "gates.0.n"),
    "metric n a word": (lambda s: _metric(s).update(n="many"), ".n"),
    "metric groups a list": (lambda s: _metric(s).update(groups=[1]), ".groups"),
    "metric details a list": (lambda s: _metric(s).update(details=[1]), ".details"),
    "metric confidence a word": (lambda s: _metric(s).update(confidence="high"), ".confidence"),
    "review queue a number": (
        lambda s: s.update(review={"policy": {"label": "tox.flagged"}, "queue": 5}),
        "review.queue",
    ),
    "review policy a list": (lambda s: s.update(review={"policy": [1], "queue": []}), "policy"),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_a_summary_entry_of_the_wrong_shape_is_named_exit_2(tmp_path: Path, name: str) -> None:
    edit, field = EDITS[name]
    reports = tmp_path / "reports"
    run_dir = toxicity_run(reports, "r-1", {1, 2}, n_cases=10)
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    edit(summary)
    path.write_text(json.dumps(summary), encoding="utf-8")
    result = run_cli("report", "r-1", "--reports", reports, "-o", tmp_path / "out", timeout=120)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error" not in lines[0], lines
    assert "summary.json" in lines[0] and field in lines[0] and "damaged" in lines[0], lines


def test_a_trend_over_a_run_whose_metric_n_is_a_word_is_no_internal_error(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    toxicity_run(reports, "r-1", {1}, n_cases=10)
    run_dir = toxicity_run(reports, "r-2", {1, 2}, n_cases=10)
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    _metric(summary).update(n="many")
    path.write_text(json.dumps(summary), encoding="utf-8")
    metric = next(iter(summary["metrics"]))
    suite = summary["suite"]["name"]
    result = run_cli("trend", suite, metric, "--reports", reports, timeout=120)
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode in (0, 2), result.stderr
