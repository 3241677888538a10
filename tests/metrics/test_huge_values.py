"""Finite values so large that an interval's arithmetic overflows (found by an adversarial
pass). Values near 1e300 have a finite mean, but the squares of their spread do not fit a
float: a mean's t interval came out as [-inf, inf], its bootstrap as [NaN, NaN], its ``std``
as inf, a paired delta's and a disparity's group intervals as [-inf, inf], all written into
summary.json as -Infinity, Infinity and NaN (not JSON); a disparity's gap gave as the reason
for its missing bound that the cases of groups "" all agree (none did); a ratio disparity
ended the run with ``internal error: OverflowError``; and the median of [-1e308, 1e308] was
-inf. Now such a figure has no interval (or, for a gap or a delta, no figure) and says why,
with the fix (scale the expression down); a quantile's value and a mean's std are computed
at a power-of-two scale (exact)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from assurance_harness.metrics.aggregate import MeanMetric, QuantileMetric, QuantileParams
from assurance_harness.metrics.base import MetricContext
from assurance_harness.stats.intervals import mean_interval
from tests.metrics.columns_check import compare_with_rows
from tests.testing.cli import run_cli
from tests.testing.project import callable_target

CTX = MetricContext(seed=0)
SIGNED = np.array([(-1) ** i * 1e300 * (1 + i / 7) for i in range(40)])
"""Mixed signs near 1e300: finite, with a finite sum, but squares of their spread overflow."""


def _finite_or_none(*figures: float | None) -> bool:
    return all(f is None or math.isfinite(f) for f in figures)


def test_a_mean_of_huge_values_has_no_interval_and_says_why() -> None:
    for values in (SIGNED[:12], SIGNED, np.array([1e200] * 9 + [1e201])):
        metric = MeanMetric.from_values(values, 0, CTX, None)
        assert metric.value == float(values.mean())
        assert (metric.ci_low, metric.ci_high) == (None, None), metric
        assert "scale the expression down" in metric.details["no_bound_reason"]
        scale = 2.0**-1000
        assert metric.details["std"] == float(np.std(values * scale)) / scale
        clustered = MeanMetric.from_values(values, 0, CTX, [i // 2 for i in range(values.size)])
        assert _finite_or_none(clustered.ci_low, clustered.ci_high, clustered.details["std"])


def test_values_up_to_the_limit_keep_their_interval() -> None:
    values = SIGNED / 1e300 * 1e140  # large, but their squares fit a float
    low, high, method = mean_interval(values, seed=0)
    assert low is not None and high is not None and math.isfinite(low) and low < high, method


def test_the_median_of_huge_values_of_both_signs_is_finite() -> None:
    values = np.array([-1e308, 1e308] * 5)
    metric = QuantileMetric.from_values(values, 0, QuantileParams(expr="x", q=0.5), CTX)
    assert metric.value == 0.0
    assert (metric.ci_low, metric.ci_high) == (-1e308, 1e308)


SUITE = """suite: huge
cases:
  - {id: a, prompt: x, metadata: {g: x, t: p}}
  - {id: b, prompt: x, metadata: {g: y, t: p}}
metrics:
  - {id: m, mean: "float(response)", by: meta.g}
  - {id: q, quantile: {expr: "float(response)", q: 0.5}}
  - {id: gap, disparity: {value: "float(response)", by: meta.g}}
  - {id: ratio, disparity: {value: "abs(float(response))", by: meta.g, method: ratio}}
  - {id: over, disparity: {value: "float(response)", by: meta.g, relative_to: overall}}
  - {id: p, paired: {value: "float(response)", pair_by: meta.t, group: meta.g}}
gates:
  - {metric: m, max: 1, bound: upper}
  - {metric: gap, max: 1}
  - {metric: ratio, min: 0.8}
  - {metric: p, max: 1}
"""


def _rows(values: np.ndarray) -> list[dict[str, Any]]:
    return [
        {
            "case_id": f"c{i}",
            "sample": 0,
            "response": repr(float(v)),
            "error": None,
            "expected": {},
            "metadata": {"g": "xy"[i % 2], "t": f"t{i // 2}"},
            "scores": {},
        }
        for i, v in enumerate(values)
    ]


def test_gaps_and_deltas_of_huge_values_say_why_they_have_no_figure(write) -> None:
    got, verdicts = compare_with_rows(
        write("s.yaml", SUITE), _rows(SIGNED), samples=1, chunk=7, seed=3
    )
    for name in ("gap", "ratio", "over", "p"):
        assert got[name].value is None, (name, got[name])
        assert "scale the expression down" in got[name].details["no_data_reason"], name
    for metric in got.values():
        text = json.dumps(metric.to_dict(), allow_nan=False)  # no Infinity, no NaN
        assert "Infinity" not in text
    assert [v["verdict"] for v in verdicts] == ["no_data"] * 4


ECHO = "def reply(messages):\n    return messages[-1]['content']\n"


def test_a_run_over_huge_answers_writes_strict_json(tmp_path: Path) -> None:
    callable_target(tmp_path, "huge_bot", ECHO)
    cases = "".join(
        f"  - {{id: c{i}, prompt: '{v!r}', metadata: {{g: {'xy'[i % 2]}, t: t{i // 2}}}}}\n"
        for i, v in enumerate(SIGNED[:12].tolist())
    )
    head, tail = SUITE.split("cases:\n")[0], SUITE.split("metrics:")[1]
    suite = f"{head}cases:\n{cases}metrics:{tail}"
    (tmp_path / "s.yaml").write_text(suite, encoding="utf-8")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--reports", "r", cwd=tmp_path)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    (summary,) = (tmp_path / "r").glob("*/summary.json")

    def refuse(constant: str) -> None:
        raise AssertionError(f"summary.json holds {constant}")

    data = json.loads(summary.read_text(encoding="utf-8"), parse_constant=refuse)
    assert data["metrics"]["m"]["ci_high"] is None
