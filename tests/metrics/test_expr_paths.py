"""``evaluate`` reads ``name.member`` expressions straight from the row (issue 12's 100k-case
run evaluates three per row); it must give what the general evaluator gives, row for row."""

from __future__ import annotations

from typing import Any

import pytest

from assurance_harness.metrics.expr import (
    _eval,
    compile_expression,
    evaluate,
    evaluate_on_metadata,
    namespace,
    reader,
)

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


METADATA: list[dict[str, Any]] = [
    {"lang": "en", "score": 0.7, "tags": ["a", "b"], "n": {"k": 1}},
    {"lang": "fr", "score": float("nan")},
    {"score": None, "lang": 3},
    {},
]


@pytest.mark.parametrize(
    "text",
    [
        "meta.lang",
        "meta.lang == 'en'",
        "metadata.score > 0.5",
        "meta['lang'] in ['en', 'de'] and meta.score is not None",
        "not meta.score",
        "coalesce(meta.score, 0) + len(meta.tags)",
        "meta.n.k == 1 or lower(meta.lang) == 'fr'",
        "len(meta) > 1",
    ],
)
def test_evaluate_on_metadata_gives_what_evaluate_gives_a_row(text: str) -> None:
    """``validate`` reads a ``where:`` that reads only metadata on each case by it: the value
    a run's rows of that case give, NaN null as there."""
    for metadata in METADATA:
        expected = evaluate(text, {"metadata": metadata, "response": "r", "scores": {"m": 1}})
        assert evaluate_on_metadata(text, metadata) == expected, (text, metadata)
