"""Suites the fuzzer found to crash validate (issue 12): each is one located error instead."""

from __future__ import annotations

import time

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.metrics.expr import ExpressionError, compile_expression, evaluate
from assurance_harness.spec.loader import load_suite

BASE = "suite: x\ncases: [{id: a, prompt: hi}]\n"


def _issues(write, text: str) -> list[str]:
    path = write("s.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    return [str(i) for i in info.value.issues]


def test_a_gate_metric_that_is_a_list_is_located(write) -> None:
    # Was: TypeError: unhashable type: 'list' (spec/loader.py)
    issues = _issues(
        write, BASE + "metrics: [{id: r, rate: error}]\ngates:\n  - {metric: [x], max: 0.1}\n"
    )
    assert any(":5: gates[0].metric: " in i for i in issues), issues


def test_a_metric_id_that_is_a_mapping_is_located(write) -> None:
    issues = _issues(
        write,
        BASE + "metrics:\n  - {id: {a: 1}, rate: error}\ngates:\n  - {metric: r, max: 0.1}\n",
    )
    assert any(":4: metrics[0]: metric needs an 'id'" in i for i in issues), issues


def test_a_3000_term_expression_is_one_located_error(write) -> None:
    # Was: RecursionError in ast.parse.
    expr = " + ".join(["error"] * 3000)
    issues = _issues(write, BASE + f'metrics:\n  - id: r\n    mean: "{expr}"\n')
    assert len(issues) == 1 and ":5: metrics[0].mean: " in issues[0]
    assert "expression is too long" in issues[0]


@pytest.mark.parametrize(
    "expr", ["abs(" * 60 + "1" + ")" * 60, "-" * 200 + "1", "1" + " + 1" * 300, "1 + 1" * 199]
)
def test_expressions_too_deep_or_large_to_evaluate_are_refused(expr: str) -> None:
    with pytest.raises(ExpressionError, match="too"):
        compile_expression(expr)


@pytest.mark.parametrize(
    "expr",
    ["response * 100000000000", "100000000000 * prompt", "'ab' * 100000000", "[1] * 99999999999"],
)
def test_repeating_text_or_lists_is_refused_at_validate(expr: str) -> None:
    # Was: passed validate, then ran for minutes or hit MemoryError.
    with pytest.raises(ExpressionError, match="repeat"):
        compile_expression(expr)


def test_repetition_reached_at_run_time_evaluates_to_null_at_once() -> None:
    # The names a scorer writes are not known when the suite loads: bounded when evaluated.
    started = time.perf_counter()
    row = {"scores": {"m": {"label": "abc", "n": 10**11}}, "response": "r"}
    assert evaluate("m.label * m.n", row) is None
    assert time.perf_counter() - started < 1
    assert evaluate("m.label * 2", row) == "abcabc"
    assert evaluate("m.n * 3", row) == 3 * 10**11


def test_ordinary_expressions_still_compile() -> None:
    for expr in ["tox.toxicity > 0.5", "len(response) * 2 > 100", "meta.group in ['a', 'b']"]:
        compile_expression(expr)


@pytest.mark.parametrize(
    ("tail", "where"),
    [
        ("metrics: 5\ngates: []\n", ":3: metrics: "),
        ("metrics: [{id: r, rate: error}]\ngates: 5\n", ":4: gates: "),
        ("metrics: [{id: r, rate: error}]\ngates: abc\n", ":4: gates: "),
    ],
)
def test_metrics_or_gates_that_are_no_list_are_located(write, tail: str, where: str) -> None:
    # Was: TypeError: 'int' object is not iterable (spec/loader.py), an internal error
    issues = _issues(write, BASE + tail)
    assert any(where in i for i in issues), issues
