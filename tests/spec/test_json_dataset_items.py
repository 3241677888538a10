"""A dataset written as one JSON list (or ``{"cases": [...]}``) names the file's line of the item
at fault, and the item's number, as JSONL and YAML errors name their line. Observed: the
error named the item's number as if it were the line (``d.json:3:`` for the third item of a
pretty-printed list, whose text starts on line 10). A wrapper object holding both "cases" and
"data" read "cases" and dropped the other without a word: it is refused, located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite

from ..testing.cli import run_cli

ROWS = [
    {"id": "a", "prompt": "one"},
    {"id": "b", "prompt": "two"},
    {"id": "c", "prompt": 3},
]


def _issue(suite: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_suite(suite)
    (issue,) = info.value.issues
    return str(issue)


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("wrapped", [False, True])
def test_an_item_error_names_its_line_and_number(write, wrapped: bool) -> None:
    data = {"version": 2, "cases": ROWS} if wrapped else ROWS
    text = json.dumps(data, indent=2)
    write("d.json", text)
    suite = write("s.yaml", "suite: x\ndataset: {path: d.json}\n")
    line = _line_of(text, '"id": "c"') - 1  # the item's opening brace
    problem = _issue(suite)
    assert problem.startswith(f"{suite.parent / 'd.json'}:{line}: item 3: the prompt is"), problem


def test_an_item_that_is_not_an_object_names_its_line(write) -> None:
    write("d.json", '[\n  {"id": "a", "prompt": "x"},\n\n  "oops"\n]\n')
    suite = write("s.yaml", "suite: x\ndataset: {path: d.json}\n")
    problem = _issue(suite)
    assert "d.json:4: item 2 is not an object" in problem, problem


def test_a_repeated_id_in_a_json_list_names_the_items_lines(write, tmp_path: Path) -> None:
    rows = [{"id": "a", "prompt": "x"}, {"id": "b", "prompt": "y"}, {"id": "a", "prompt": "z"}]
    text = json.dumps(rows, indent=2)
    write("d.json", text)
    suite = write("s.yaml", "suite: x\ndataset: {path: d.json}\n")
    done = run_cli("validate", suite, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    repeat = _line_of(text, '"prompt": "z"') - 2  # the items' opening braces
    first = _line_of(text, '"prompt": "x"') - 2
    assert f"d.json:{repeat}:" in done.stderr and f"on line {first}" in done.stderr, done.stderr


@pytest.mark.parametrize("other", ["data"])
def test_a_wrapper_with_both_cases_and_data_is_refused(write, other: str) -> None:
    text = json.dumps({"cases": ROWS[:1], other: ROWS[1:2]}, indent=2)
    write("d.json", text)
    suite = write("s.yaml", "suite: x\ndataset: {path: d.json}\n")
    problem = _issue(suite)
    assert f"d.json:{_line_of(text, json.dumps(other))}:" in problem, problem
    assert "both 'cases' and 'data'" in problem, problem
    done = run_cli("validate", suite)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "both 'cases' and 'data'" in done.stderr.splitlines()[0], done.stderr


def test_items_still_load_with_their_ids(write) -> None:
    rows = [{"prompt": "x"}, {"prompt": "y"}]
    write("d.json", json.dumps({"data": rows}, indent=2))
    suite = write("s.yaml", "suite: x\ndataset: {path: d.json}\n")
    assert [c.id for c in load_suite(suite).cases] == ["d-00001", "d-00002"]
