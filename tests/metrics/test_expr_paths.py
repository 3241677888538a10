"""``evaluate`` reads ``name.member`` expressions straight from the row (issue 12's 100k-case
run evaluates three per row); it must give what the general evaluator gives, row for row."""

from __future__ import annotations

from typing import Any

import pytest

from assurance_harness.metrics.expr import _eval, compile_expression, evaluate, namespace, reader

ROWS: list[dict[str, Any]] = [
    {
        "case_id": "c1",
        "sample": 0,
        "prompt": "hi",
        "response": "hello",
        "error": None,
        "metadata": {"group": "g1", "age": 9, "nested": {"a": [1, 2]}},
        "expected": {"must_refuse": True},
        "scores": {"len": {"words": 3, "chars": 9}, "num": {"matched": True}, "flat": 0.5},
    },
    {"case_id": "c2", "sample": 1, "error": "timeout", "metadata": None, "scores": {}},
    {"case_id": "c3", "scores": None, "human": {"label": False, "reviewed": True}},
    {"case_id": "c4", "scores": {"response": {"x": 1}, "meta": 7}, "metadata": {}},
    {"case_id": "c5", "scores": [("len", {"words": 1})]},  # not a dict: the general route
    {"case_id": "c6", "scores": {"len": [1, 2], "num": "text", "flat": float("nan")}},
]

EXPRESSIONS = [
    "len.words",
    "len.missing",
    "num.matched",
    "flat",
    "flat.deeper",
    "missing.x",
    "meta.group",
    "metadata.age",
    "meta.nested.a",
    "expected.must_refuse",
    "human.label",
    "human.reviewed",
    "response",
    "response.x",
    "prompt",
    "error",
    "sample",
    "case_id",
    "meta",
    "true",
    "null.x",
    "True",
    # not paths: always the general route
    "len.words > 2",
    "meta['group']",
    "not num.matched",
]


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_path_expressions_read_what_the_evaluator_reads(expr: str) -> None:
    for row in ROWS:
        expected = _eval(compile_expression(expr).body, namespace(row))
        assert evaluate(expr, row) == expected
        assert type(evaluate(expr, row)) is type(expected)
        # The reader made once for a column's rows (``metrics.columns``) reads the same.
        got = reader(expr)(row)
        assert got == expected
        assert type(got) is type(expected)
