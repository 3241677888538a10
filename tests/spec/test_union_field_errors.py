"""A field that takes one of several shapes (``str | OperatorUse``, ``DatasetSpec | list``,
``str | int``) reports a mistake as one line at its own location, not one line per shape
pydantic tried (``Input should be a valid string`` beside the real problem)."""

from __future__ import annotations

import json

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite

from ..testing.cli import run_cli

HEAD = "suite: t\ncases:\n  - id: a\n    prompt: hi\n"
PERTURB = HEAD + "expand:\n  - use: perturb\n    with:\n      operators:\n"


def _messages(path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    return [str(i) for i in info.value.issues]


@pytest.mark.parametrize(
    ("operators", "expected"),
    [
        (
            "        - typoo\n",
            "9: expand[0].with.operators[0]: unknown perturbation operator 'typoo'; "
            "did you mean 'typo'?",
        ),
        (
            "        - lowercase\n        - {op: typoo, rate: 0.5}\n",
            "10: expand[0].with.operators[1].op: unknown perturbation operator 'typoo'; "
            "did you mean 'typo'?",
        ),
        (
            "        - {op: typo, rat: 0.5}\n",
            "9: expand[0].with.operators[0].rat: unknown field; did you mean 'rate'?",
        ),
        (
            "        - 5\n",
            "9: expand[0].with.operators[0]: expected text or a mapping, got a number",
        ),
    ],
)
def test_a_perturb_operator_mistake_is_one_line(write, operators: str, expected: str) -> None:
    path = write("s.yaml", PERTURB + operators)
    assert _messages(path) == [f"{path}:{expected}"]


@pytest.mark.parametrize(
    ("dataset", "expected"),
    [
        ("dataset: {pathh: x.jsonl}", "5: dataset.pathh: unknown field; did you mean 'path'?"),
        ("dataset: [{pathh: x.jsonl}]", "5: dataset[0].pathh: unknown field; did you mean 'path'?"),
        ("dataset: 5", "5: dataset: expected a mapping or a list, got a number"),
    ],
)
def test_a_dataset_mistake_is_one_line(write, dataset: str, expected: str) -> None:
    path = write("s.yaml", HEAD + dataset + "\n")
    assert _messages(path) == [f"{path}:{expected}"]


def test_an_answer_of_the_wrong_shape_is_one_line(write) -> None:
    path = write("s.yaml", HEAD + "    expected: {answer: [1]}\n")
    assert _messages(path) == [
        f"{path}:5: cases[0].expected.answer: expected text or a whole number, got a list"
    ]


def test_an_answer_of_the_wrong_shape_in_a_dataset_row_names_the_row(write) -> None:
    rows = write("cases.jsonl", json.dumps({"id": "a", "prompt": "hi", "answer": [1]}) + "\n")
    path = write(
        "s.yaml",
        f"suite: t\ndataset:\n  path: {rows.name}\n  fields: {{expected.answer: answer}}\n",
    )
    assert _messages(path) == [
        f"{rows}:1: expected.answer: expected text or a whole number, got a list"
    ]


def test_validate_prints_the_one_line(write) -> None:
    path = write("s.yaml", PERTURB + "        - lowercase\n        - {op: typoo}\n")
    proc = run_cli("validate", path, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if str(path) in line]
    assert lines == [
        f"{path}:10: expand[0].with.operators[1].op: unknown perturbation operator 'typoo'; "
        "did you mean 'typo'?"
    ]
