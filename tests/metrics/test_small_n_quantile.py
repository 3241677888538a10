"""A quantile's interval on tiny samples. Observed: the median of one value had the
zero-width interval [x, x]; the 0.9 quantile of 10 values took the sample's maximum as its
upper bound (labelled approximate), which is above the true quantile only 65% of the time, so
a ``max:`` gate on it passed on evidence that misses a third of the time; the samples of one
case counted as independent values. A bound whose coverage falls far below nominal (known
exactly for order statistics) is now left out and the figure says why; a gate on it is
``no_data``. Coverage: benchmarks/small_n_coverage.py."""

from __future__ import annotations

from assurance_harness.metrics.aggregate import QuantileMetric
from assurance_harness.metrics.base import MetricContext
from tests.metrics.test_small_n_mean import _gate, _rows

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
