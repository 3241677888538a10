"""What a dataset's rows hold is what the run measures, or one located error: JSON that a
reader takes in one of several ways (a key written twice, NaN, a number past float's range or
int's digit limit) and mappings that read nothing are refused, and a JSON list loads in time
linear in its rows."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite

from ..testing.cli import run_cli


def _issue(suite: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_suite(suite)
    (issue,) = info.value.issues
    return str(issue)


def test_a_json_list_loads_in_time_linear_in_its_rows(write) -> None:
    # Observed: each item's checks scanned the whole file's text, so a JSON list of 20,000
    # rows took 17 s to load (the same rows as JSONL 0.3 s), 200,000 rows half an hour.
    rows = [{"id": f"c{i}", "prompt": f"p{i}"} for i in range(25_000)]
    write("d.json", json.dumps(rows))
    suite = write("s.yaml", "suite: x\ndataset: {path: d.json}\n")
    began = time.perf_counter()
    cases = load_suite(suite).cases
    assert len(cases) == 25_000
    assert time.perf_counter() - began < 8, "quadratic in the rows again?"


def _one(ext: str, row: str) -> str:
    """A dataset holding ``row`` (JSON text) as its second row, in JSONL or a JSON list."""
    first = '{"id": "a", "prompt": "fine"}'
    return f"{first}\n{row}\n" if ext == "jsonl" else f"[{first},\n{row}]\n"


@pytest.mark.parametrize("ext", ["jsonl", "json"])
def test_an_integer_past_pythons_digit_limit_is_located_not_a_traceback(write, ext) -> None:
    # Observed: ValueError "Exceeds the limit (4300 digits) for integer string conversion",
    # a traceback from validate and run.
    write(f"d.{ext}", _one(ext, '{"id": "b", "prompt": "x", "n": ' + "9" * 5000 + "}"))
    suite = write("s.yaml", f"suite: x\ndataset: {{path: d.{ext}}}\n")
    problem = _issue(suite)
    assert f"d.{ext}:2:" in problem and "4300 digits" in problem and "string" in problem
    done = run_cli("validate", suite)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("ext", ["jsonl", "json"])
@pytest.mark.parametrize(
    ("row", "key"),
    [
        ('{"id": "b", "prompt": "first", "prompt": "second"}', "prompt"),
        ('{"id": "b", "prompt" : "first", "prompt"  :"second"}', "prompt"),
        ('{"id": "b", "prompt": "x", "info": {"cat": "Age", "cat": "Race"}}', "cat"),
        ('{"id": "b", "prompt": "x", "l": [{"k": 1, "k": 2}]}', "k"),
    ],
)
def test_a_key_written_twice_in_one_object_is_located(write, ext, row, key) -> None:
    # Observed: the last of them was read (the prompt "second", the category "Race"), the
    # first dropped without a word; validate and run exited 0.
    write(f"d.{ext}", _one(ext, row))
    suite = write("s.yaml", f"suite: x\ndataset: {{path: d.{ext}}}\n")
    problem = _issue(suite)
    assert f"d.{ext}:2:" in problem and f"key '{key}' appears twice" in problem, problem


def test_keys_that_only_look_repeated_inside_strings_load(write) -> None:
    row = {"id": "b", "prompt": 'say "prompt": twice', "info": {"note": '"a": "b"', "x": 1}}
    write("d.jsonl", json.dumps(row) + "\n")
    suite = write("s.yaml", "suite: x\ndataset: {path: d.jsonl}\n")
    (case,) = load_suite(suite).cases
    assert case.prompt == 'say "prompt": twice' and case.metadata["info"] == row["info"]


@pytest.mark.parametrize("ext", ["jsonl", "json"])
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "-1E+400"])
def test_a_number_json_cannot_hold_is_located(write, ext, value) -> None:
    # Observed: metadata {m: Infinity} loaded as inf; cases.jsonl recorded it as null while
    # results.jsonl said 1e999 and the metric's group was "inf"; NaN in a mean was skipped
    # as if missing.
    write(f"d.{ext}", _one(ext, '{"id": "b", "prompt": "x", "m": {"v": [' + value + "]}}"))
    suite = write("s.yaml", f"suite: x\ndataset: {{path: d.{ext}}}\n")
    problem = _issue(suite)
    assert f"d.{ext}:2: {value} is " in problem and "finite number" in problem, problem


def test_large_finite_numbers_and_the_words_in_text_still_load(write) -> None:
    write(
        "d.jsonl",
        '{"id": "b", "prompt": "NaN or Infinity? 1e999", "m": 1e308, "n": -2.5E-300, '
        '"big": ' + "9" * 400 + "}\n",
    )
    suite = write("s.yaml", "suite: x\ndataset: {path: d.jsonl}\n")
    (case,) = load_suite(suite).cases
    assert case.metadata["m"] == 1e308 and case.metadata["big"] == int("9" * 400)


@pytest.mark.parametrize(
    ("data", "fields", "field", "hint"),
    [
        # Observed: every case got an id made from the file name, the 'k' column went to
        # metadata, and validate and run exited 0.
        ("d.jsonl", "{id: kk}", "id", "k, prompt"),
        # Observed: no case had the metadata, so `by: meta.cat` grouped every case as missing.
        ("d.jsonl", "{meta.cat: category}", "meta.cat", "k, prompt"),
        ("d.jsonl", "{expected.answer: label}", "expected.answer", "k, prompt"),
        # A CSV header with a space after the comma names the column ' cat'.
        ("d.csv", "{meta.cat: cat}", "meta.cat", "' cat'"),
    ],
)
def test_a_mapped_column_no_row_has_is_located_at_the_mapping(
    write, data, fields, field, hint
) -> None:
    body = (
        '{"k": "a", "prompt": "x"}\n{"k": "b", "prompt": "y"}\n'
        if data.endswith("jsonl")
        else "k,prompt, cat\na,x,c1\nb,y,c2\n"
    )
    write(data, body)
    suite = write("s.yaml", f"suite: x\ndataset:\n  path: {data}\n  fields: {fields}\n")
    problem = _issue(suite)
    assert problem.startswith(f"{suite}:4: dataset.fields.{field}: "), problem
    assert "no row" in problem and hint in problem, problem
    done = run_cli("validate", suite)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr


def test_a_mapped_column_some_rows_lack_is_read_where_it_is(write) -> None:
    write("d.jsonl", '{"k": "a", "prompt": "x", "c": "k1"}\n{"k": "b", "prompt": "y"}\n')
    suite = write("s.yaml", "suite: x\ndataset:\n  path: d.jsonl\n  fields: {meta.cat: c}\n")
    cases = load_suite(suite).cases
    assert [c.metadata.get("cat") for c in cases] == ["k1", None]


def test_one_mapping_shared_by_two_datasets_needs_each_column_in_one_of_them(write) -> None:
    # The bundled privacy-children suite maps expected.canaries for both of its files through
    # one YAML anchor; only its conversations have canaries.
    write("a.jsonl", '{"id": "a", "prompt": "x"}\n')
    write("b.jsonl", '{"id": "b", "prompt": "y", "canaries": ["c"], "cat": "k"}\n')
    suite = write(
        "s.yaml",
        "suite: x\nx-fields: &f {expected.canaries: canaries, meta.cat: kat}\ndataset:\n"
        "  - {path: a.jsonl, fields: {<<: *f}}\n  - {path: b.jsonl, fields: {<<: *f}}\n",
    )
    with pytest.raises(ConfigError) as info:
        load_suite(suite)
    problems = [str(issue) for issue in info.value.issues]
    # Each at the line the mapping is written on: the anchor's.
    assert [p.split(": ", 2)[:2] for p in problems] == [
        [f"{suite}:2", f"dataset[{i}].fields.meta.cat"] for i in (0, 1)
    ], problems
    assert all("'kat'" in p and "canaries" not in p.split(";")[0] for p in problems)
    write("s.yaml", suite.read_text().replace("kat", "cat"))
    cases = load_suite(suite).cases
    assert [c.metadata.get("cat") for c in cases] == [None, "k"]


@pytest.mark.parametrize(
    ("value", "kind"), [("true", "true/false"), ("[1]", "a list"), ('{"a": 1}', "a mapping")]
)
def test_an_id_that_is_not_text_or_a_number_is_located(write, value, kind) -> None:
    # Observed: the id became Python's text for the value: "True", "[1]", "{'a': 1}".
    write("d.jsonl", '{"id": "a", "prompt": "x"}\n{"id": ' + value + ', "prompt": "y"}\n')
    suite = write("s.yaml", "suite: x\ndataset: {path: d.jsonl}\n")
    problem = _issue(suite)
    assert "d.jsonl:2:" in problem and f"the id is {kind}" in problem, problem


@pytest.mark.parametrize(("value", "shown"), [("1.0", "1.0"), ("1e2", "100.0"), ("2.5", "2.5")])
def test_an_id_that_is_a_floating_point_number_is_located(write, value, shown) -> None:
    # Observed: {"id": 1e2} ran as case "100.0", and 1.0 as "1.0" beside another file's 1 (a
    # column pandas wrote as floats for one missing value): ids the file never wrote, which
    # a baseline or comparison then matched to nothing.
    write("d.jsonl", '{"id": "a", "prompt": "x"}\n{"id": ' + value + ', "prompt": "y"}\n')
    suite = write("s.yaml", "suite: x\ndataset: {path: d.jsonl}\n")
    problem = _issue(suite)
    assert (
        "d.jsonl:2:" in problem
        and f"the id is a floating-point number (read as {shown})" in problem
    )
    assert "quote it" in problem, problem


def test_ids_that_are_numbers_are_their_text(write) -> None:
    write("d.jsonl", '{"id": 7, "prompt": "x"}\n{"id": "b", "prompt": "y"}\n')
    suite = write("s.yaml", "suite: x\ndataset: {path: d.jsonl}\n")
    assert [c.id for c in load_suite(suite).cases] == ["7", "b"]
