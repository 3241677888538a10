"""A quantile's interval on tiny samples. Observed: the median of one value had the
zero-width interval [x, x]; the 0.9 quantile of 10 values took the sample's maximum as its
upper bound (labelled approximate), which is above the true quantile only 65% of the time, so
a ``max:`` gate on it passed on evidence that misses a third of the time; the samples of one
case counted as independent values. A bound whose coverage falls far below nominal (known
exactly for order statistics) is now left out and the figure says why; a gate on it is
``no_data``. Coverage: benchmarks/small_n_coverage.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.metrics.aggregate import QuantileMetric
from assurance_harness.metrics.base import MetricContext
from tests.metrics.test_small_n_mean import _gate, _rows
from tests.testing.cli import run_cli
from tests.testing.project import callable_target

CTX = MetricContext(seed=7)


def test_a_quantile_of_one_value_has_no_interval() -> None:
    params = QuantileMetric.parse_params({"expr": "len.chars", "q": 0.5})
    value = QuantileMetric().compute(_rows([250.0]), params, CTX)
    assert value.value == 250.0 and value.ci_low is None and value.ci_high is None
    assert "one case" in value.details["no_bound_reason"]
    assert _gate(value, max=300)["verdict"] == "no_data"


def test_a_p90_of_ten_values_has_a_lower_bound_but_no_upper_bound() -> None:
    params = QuantileMetric.parse_params({"expr": "len.chars", "q": 0.9})
    data = [float(v) for v in range(100, 200, 10)]
    value = QuantileMetric().compute(_rows(data), params, CTX)
    assert value.ci_low is not None and value.ci_high is None
    reason = value.details["no_bound_reason"]
    assert "no upper bound" in reason and "65%" in reason and "needs n >= 22" in reason
    verdict = _gate(value, max=1000)
    assert verdict["verdict"] == "no_data" and verdict["no_data_reason"] == reason


def test_a_quantile_over_the_samples_of_one_case_has_no_interval() -> None:
    params = QuantileMetric.parse_params({"expr": "len.chars", "q": 0.5})
    rows = _rows([240.0, 250.0, 255.0, 262.0, 270.0, 280.0], samples=6)
    value = QuantileMetric().compute(rows, params, CTX)
    assert value.ci_low is None and value.ci_high is None
    assert "one case" in value.details["no_bound_reason"]


@pytest.mark.parametrize("q", ["1e-17", "1e-300", "5e-324"])
def test_a_quantile_next_to_zero_has_no_lower_bound_and_says_why(tmp_path: Path, q: str) -> None:
    # At q below about 1e-16, 1 - q is 1.0 as a float, and the sample size a lower bound
    # needs (log(2 alpha) / log(1 - q)) divided by zero: the run ended in "internal error:
    # ZeroDivisionError" after every answer was in. The q is valid (0 < q < 1); its lower
    # bound is out of reach of any sample, and the figure says so.
    callable_target(tmp_path, "tiny_q_bot", "def reply(messages):\n    return 'a b c'\n")
    (tmp_path / "s.yaml").write_text(
        "suite: tiny-q\ncases:\n"
        + "".join(f"  - {{id: c{i}, prompt: p{i}}}\n" for i in range(4))
        + "scorers: [{id: len, use: length}]\n"
        f"metrics: [{{id: q, quantile: {{expr: len.words, q: {q}}}}}]\n"
        "gates: [{metric: q, max: 5, bound: upper}]\n",
        encoding="utf-8",
    )
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report", cwd=tmp_path
    )
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    (summary,) = (tmp_path / "r").glob("*/summary.json")
    metric = json.loads(summary.read_text(encoding="utf-8"))["metrics"]["q"]
    assert metric["value"] == 3.0 and metric["ci_low"] is None and metric["ci_high"] == 3.0
    assert metric["details"]["no_bound_reason"].startswith("no lower bound"), metric
