"""A comparison from two runs' intervals alone (a quantile, a plugin's metric) reads each
interval's standard error from its width at its recorded level. Observed: a metric record
without ``confidence`` was read as a 95% interval, and a p-value and a verdict came from that
guess. Every run this tool ever wrote records the level (``MetricValue.to_dict`` since the first
commit), and a suite could set another one (``confidence:``) from that same commit: a record
without it is not an older format but one nobody can read the level of (a hand-made or edited
summary, another tool's), so the metric is not tested, and the note says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assurance_harness.compare.engine import compare_runs
from assurance_harness.report.rundata import load_run

from ..report.runfixtures import gate, write_run


def _entry(value: float, low: float, high: float, level: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "value": value,
        "n": 100,
        "ci_low": low,
        "ci_high": high,
        "method": "bootstrap",
        "groups": None,
        "details": {},
    }
    if level is not None:
        entry["confidence"] = level
    return entry


def _run(tmp_path: Path, run_id: str, figures: tuple[float, float, float], level: Any) -> Path:
    metric = {
        "kind": "quantile",
        "spec": {"quantile": {"expr": "x", "q": 0.9}, "by": "meta.group"},
        **_entry(*figures, level),
    }
    metric["groups"] = {"a": _entry(*figures, level)}
    return write_run(tmp_path, run_id, [], {"p90": metric}, [gate("p90", metric, max=10.0)])


BASE, CAND = (0.5, 0.4, 0.6), (0.68, 0.58, 0.78)
"""p = 0.013 at 95%: a regression, at the level both runs record."""


def test_both_levels_recorded_give_the_figure(tmp_path: Path) -> None:
    result = compare_runs(
        load_run(_run(tmp_path, "a", BASE, 0.95)), load_run(_run(tmp_path, "b", CAND, 0.95))
    )
    (m,) = result.metrics
    assert m.test is not None and m.test.p_value == pytest.approx(0.0127, abs=1e-3)
    assert m.verdict == "regressed"


# None: not recorded, read as 95%; 0: read as 95% too (``or``); 1.5 and true: a NaN p-value
# judged "unchanged". (A string is refused by the run's loader already: exit 2.)
@pytest.mark.parametrize("level", [None, 0, 1.5, True])
def test_an_interval_without_its_level_gives_no_figure_and_says_why(
    tmp_path: Path, level: Any
) -> None:
    result = compare_runs(
        load_run(_run(tmp_path, "a", BASE, level)),
        load_run(_run(tmp_path, "b", CAND, 0.95)),
        groups=True,
    )
    (m,) = result.metrics
    assert m.test is None and m.p_adjusted is None
    assert m.verdict == "untested"
    # Nothing else to compare: no verdict either way (exit 3), and not for want of data.
    assert result.exit_code == 3 and result.unmeasured is not None
    assert "could be tested" in result.unmeasured and "has data" not in result.unmeasured
    assert m.note is not None and "confidence level" in m.note and "baseline" in m.note, m.note
    (g,) = m.groups
    assert g.test is None and g.verdict == "untested"
    assert g.note is not None and "confidence level" in g.note, g.note
