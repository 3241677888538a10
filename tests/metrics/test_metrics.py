"""Metric values, intervals and gate verdicts on hand-checked data."""

from __future__ import annotations

import math

import pytest

from assurance_harness.metrics.engine import compute_metric, judge_gate
from assurance_harness.metrics.expr import ExpressionError, evaluate
from assurance_harness.spec.loader import load_suite
from assurance_harness.spec.suite import GateSpec
from assurance_harness.stats.intervals import bootstrap_mean, clopper_pearson, wilson


def test_wilson_matches_reference_values() -> None:
    # Reference: Wilson 95% interval for 3/10 (statsmodels proportion_confint method='wilson').
    low, high = wilson(3, 10)
    assert math.isclose(low, 0.10779, abs_tol=1e-4) and math.isclose(high, 0.60322, abs_tol=1e-4)
    low, high = wilson(0, 50)
    assert low == 0.0 and math.isclose(high, 0.07135, abs_tol=1e-4)
    assert wilson(0, 0) == (None, None)


def test_bootstrap_is_seeded() -> None:
    values = [0.1, 0.5, 0.9, 0.3, 0.7]
    assert bootstrap_mean(values, seed=1) == bootstrap_mean(values, seed=1)
    low, high = bootstrap_mean(values, seed=1)
    assert low is not None and high is not None and low < 0.5 < high


def row(case_id: str, tox: float | None, group: str, error: bool = False) -> dict:
    return {
        "case_id": case_id,
        "sample": 0,
        "response": None if error else "text",
        "error": {"type": "timeout"} if error else None,
        "metadata": {"group": group},
        "expected": {},
        "scores": {} if tox is None else {"tox": {"toxicity": tox}},
    }


def test_expressions_null_propagation_and_safety() -> None:
    r = row("a", 0.7, "g")
    assert evaluate("tox.toxicity > 0.5", r) is True
    assert evaluate("tox.nope > 0.5", r) is None
    assert evaluate("meta.group == 'g' and not error", r) is True
    with pytest.raises(ExpressionError):
        evaluate("__import__('os')", r)
    with pytest.raises(ExpressionError):
        evaluate("open('x')", r)


@pytest.mark.parametrize(
    "expr",
    [
        "tox.__class__",
        "tox.__class__.__mro__",
        "tox.toxicity.__class__",
        "(1).__class__",
        "''.__class__.__mro__",
        "meta['__class__']",
        "tox.__dict__",
    ],
)
def test_dunder_members_never_reach_python_objects(expr: str) -> None:
    # Members are looked up as data keys, never with getattr: a dunder is just a missing key.
    assert evaluate(expr, row("a", 0.7, "g")) is None


@pytest.mark.parametrize(
    "expr",
    [
        "meta.__class__.__mro__[1].__subclasses__()",
        "getattr(tox, '__class__')",
        "(lambda: 1)()",
        "[x for x in meta]",
    ],
)
def test_calls_and_comprehensions_outside_the_allowed_set_are_refused(expr: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(expr, row("a", 0.7, "g"))


@pytest.fixture
def suite(write):
    path = write(
        "s.yaml",
        """suite: m
cases: [{id: a, prompt: x, metadata: {group: g}}]
scorers: [{id: tox, use: offensive-language}]
metrics:
  - {id: toxic_rate, rate: "tox.toxicity > 0.5", by: meta.group}
  - {id: mean_tox, mean: tox.toxicity}
  - {id: p90, quantile: {expr: tox.toxicity, q: 0.9}}
gates:
  - {metric: toxic_rate, max: 0.5}
""",
    )
    return load_suite(path)


def test_rate_by_group_skips_errors_and_counts_n(suite) -> None:
    rows = [row("a", 0.9, "x"), row("b", 0.1, "x"), row("c", 0.8, "y"), row("d", None, "y", True)]
    value = compute_metric(suite.metrics[0], rows, seed=0)
    assert value.value == pytest.approx(2 / 3) and value.n == 3
    assert value.details["n_skipped"] == 1
    assert value.groups is not None
    assert value.groups["x"].value == 0.5 and value.groups["x"].n == 2
    assert value.groups["y"].value == 1.0 and value.groups["y"].n == 1
    assert (value.ci_low, value.ci_high) == clopper_pearson(2, 3)


def test_gate_fails_on_a_group_and_names_worst_cases(suite) -> None:
    rows = [row("a", 0.9, "x"), row("b", 0.1, "x"), row("c", 0.1, "y"), row("d", 0.2, "y")]
    spec = suite.metrics[0]
    value = compute_metric(spec, rows, seed=0)
    verdict = judge_gate(GateSpec(metric="toxic_rate", max=0.4), value, spec, rows)
    assert verdict["verdict"] == "fail" and verdict["failing_groups"] == ["x"]
    assert verdict["worst_cases"] == ["a#0"]
    upper = judge_gate(
        GateSpec(metric="toxic_rate", max=0.3, bound="upper95", each_group=False), value, spec, rows
    )
    assert upper["checked"] == value.ci_high and upper["verdict"] == "fail"
    point = judge_gate(GateSpec(metric="toxic_rate", max=0.3, each_group=False), value, spec, rows)
    assert point["verdict"] == "pass"


def test_no_data_is_not_a_pass(suite) -> None:
    value = compute_metric(suite.metrics[1], [row("a", None, "x", True)], seed=0)
    assert value.value is None and value.n == 0
    verdict = judge_gate(GateSpec(metric="mean_tox", max=0.1), value, suite.metrics[1], [])
    assert verdict["verdict"] == "no_data"


def test_mean_and_quantile(suite) -> None:
    rows = [row(str(i), i / 10, "x") for i in range(11)]
    mean = compute_metric(suite.metrics[1], rows, seed=0)
    assert mean.value == pytest.approx(0.5) and mean.n == 11 and mean.ci_low < 0.5 < mean.ci_high
    p90 = compute_metric(suite.metrics[2], rows, seed=0)
    assert p90.value == pytest.approx(0.9)


def test_mean_and_quantile_of_non_numeric_values_say_so_instead_of_crashing(write) -> None:
    # A list or dict value (meta.tags, or a whole scorer output) used to raise TypeError after
    # every response had been collected; then it was skipped as if missing, and the mean of
    # the rest stood as the figure. Now there is none, and the reason names the value (NaN is
    # null, skipped as before).
    loaded = load_suite(
        write(
            "n.yaml",
            """suite: n
cases: [{id: a, prompt: x, metadata: {v: 1}}]
metrics:
  - {id: m, mean: meta.v}
  - {id: q, quantile: {expr: meta.v, q: 0.5}}
""",
        )
    )
    rows = [row(c, None, "g") for c in "abcd"]
    for r, v in zip(rows, [[1, 2], {"k": 1}, 2.0, float("nan")], strict=True):
        r["metadata"]["v"] = v
    for spec in loaded.metrics:
        value = compute_metric(spec, rows, seed=0)
        # No figure counts no rows (MetricValue); the reason says what was read.
        assert value.value is None and value.n == 0 and value.details["n_skipped"] == 1
        reason = value.details["no_data_reason"]
        assert "meta.v was a list in case 'a' and 1 other row: a" in reason, reason


def test_gate_with_min_and_max_names_worst_cases_on_the_side_that_failed(write) -> None:
    loaded = load_suite(
        write(
            "b.yaml",
            """suite: b
cases: [{id: a, prompt: x}]
scorers: [{id: tox, use: offensive-language}]
metrics:
  - {id: m, mean: tox.toxicity}
""",
        )
    )
    spec = loaded.metrics[0]
    rows = [row("low", 0.1, "g"), row("mid", 0.2, "g"), row("high", 0.3, "g")]
    value = compute_metric(spec, rows, seed=0)
    too_low = judge_gate(GateSpec(metric="m", min=0.5, max=0.9), value, spec, rows)
    assert too_low["verdict"] == "fail" and too_low["worst_cases"][0] == "low#0"
    too_high = judge_gate(GateSpec(metric="m", min=0.0, max=0.15), value, spec, rows)
    assert too_high["verdict"] == "fail" and too_high["worst_cases"][0] == "high#0"


def test_expressions_on_odd_values_are_null_not_exceptions() -> None:
    # A scorer's infinity through int()/round(), or a list used as a key, used to raise
    # OverflowError/TypeError out of the metric computation after the run had collected.
    r = row("a", 0.7, "g")
    r["metadata"]["x"] = float("inf")
    for expr in ("int(meta.x)", "round(meta.x)", "meta[[1]]", "meta[meta]"):
        assert evaluate(expr, r) is None, expr
    assert evaluate("meta.group in ['g', 'h'] and case_id >= 'a'", r) is True


@pytest.mark.parametrize("expr", ["-tox", "-response", "+response", "-meta", "-(meta.group)"])
def test_a_sign_on_text_or_a_mapping_is_null_not_a_type_error(expr: str) -> None:
    # The web app's score filter evaluates what a person types, unchecked against the suite's
    # field types: a TypeError here was a 500 with a traceback in the server log.
    assert evaluate(expr, row("a", 0.7, "g")) is None


@pytest.mark.parametrize(
    "expr",
    ['"%099999999999999999999d" % 1', 'len("%0999999d" % 1)', "response % 2", "'%s' % response"],
)
def test_percent_on_text_is_null_never_printf_formatting(expr: str) -> None:
    # On text, % is printf formatting: one short filter ('"%01999999999d" % 1') built a 2 GB
    # string per row, and a width too big raised ValueError. It is arithmetic, as suites say.
    assert evaluate(expr, row("a", 0.7, "g")) is None


def test_a_group_without_data_fails_a_per_group_gate(suite) -> None:
    rows = [row("a", 0.1, "x"), row("b", 0.2, "x"), row("c", None, "y", True)]
    rows[2]["scores"] = {"tox": {"toxicity": None}}
    spec = suite.metrics[0]
    value = compute_metric(spec, rows, seed=0)
    assert value.groups is not None and value.groups["y"].n == 0
    verdict = judge_gate(GateSpec(metric="toxic_rate", max=0.5), value, spec, rows)
    assert verdict["verdict"] == "fail"
    assert verdict["failing_groups"] == ["y"] and verdict["groups_without_data"] == ["y"]
