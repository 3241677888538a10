"""Hostile or broken dataset files are one located error each, never a traceback or a silent
change (issue 12's fuzz findings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite


def _issues(suite: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_suite(suite)
    return [str(i) for i in info.value.issues]


def _suite(write, data_name: str, body: str, extra: str = "") -> tuple[Path, Path]:
    data = write(data_name, body)
    return write("s.yaml", f"suite: x\ndataset: {{path: {data_name}{extra}}}\n"), data


def test_a_csv_row_with_more_fields_than_the_header_is_located_not_truncated(write) -> None:
    # Was: "What is 2" silently (the rest of the row dropped).
    suite, data = _suite(write, "d.csv", "id,prompt\nq1,What is 2,5 plus 1?\n")
    assert _issues(suite) == [
        f"{data.resolve()}:2: row has more fields (3) than the header (2); quote a value "
        'that holds a comma: "What is 2,5 plus 1?"'
    ]


@pytest.mark.parametrize(
    ("prompt", "kind"), [(["a", "b"], "a list"), ({"text": "hi"}, "a mapping"), (7, "a number")]
)
def test_a_prompt_that_is_not_text_is_located_not_its_python_repr(write, prompt, kind) -> None:
    suite, data = _suite(write, "d.jsonl", json.dumps({"id": "a", "prompt": prompt}) + "\n")
    (issue,) = _issues(suite)
    assert issue.startswith(f"{data.resolve()}:1: the prompt is {kind}, not text;")


def test_a_lone_surrogate_in_a_jsonl_prompt_is_located(write) -> None:
    # Was: validate passed, then run crashed in write_cases leaving only cases.tmp.
    suite, data = _suite(write, "d.jsonl", '{"prompt": "ok"}\n{"prompt": "cut \\ud83d here"}\n')
    (issue,) = _issues(suite)
    assert issue.startswith(f"{data.resolve()}:2: ")
    assert "half of a surrogate pair" in issue


def test_deeply_nested_json_in_a_dataset_is_located(write) -> None:
    deep = '{"prompt": "hi", "x": ' + "[" * 5000 + "]" * 5000 + "}\n"
    suite, data = _suite(write, "d.jsonl", '{"prompt": "ok"}\n' + deep)
    (issue,) = _issues(suite)
    assert issue.startswith(f"{data.resolve()}:2: JSON nested more than 100 levels deep")


def test_a_dataset_path_that_is_a_directory_is_located(write, tmp_path) -> None:
    (tmp_path / "dir.jsonl").mkdir()
    suite = write("s.yaml", "suite: x\ndataset: {path: dir.jsonl}\n")
    (issue,) = _issues(suite)
    assert issue == (
        f"{suite}:2: dataset.path: is a directory, not a dataset file: dir.jsonl; "
        "name a .jsonl, .csv or .json file"
    )


@pytest.mark.parametrize(
    ("path", "words"),
    [('"a\\0b.jsonl"', "holds a NUL character"), ("x" * 300 + ".jsonl", "name is too long")],
)
def test_dataset_paths_no_file_can_have_are_located(write, path, words) -> None:
    suite = write("s.yaml", f"suite: x\ndataset: {{path: {path}}}\n")
    (issue,) = _issues(suite)
    assert issue.startswith(f"{suite}:2: dataset.path: ")
    assert words in issue


def test_a_dataset_path_through_a_file_names_that_file_not_a_missing_dataset(write) -> None:
    # Was: "dataset file not found" for notes.txt/cases.jsonl, where notes.txt is a file: the
    # user looked for a missing dataset instead of the path's wrong folder.
    write("notes.txt", "a note\n")
    suite = write("s.yaml", "suite: x\ndataset: {path: notes.txt/cases.jsonl}\n")
    (issue,) = _issues(suite)
    assert issue == (
        f"{suite}:2: dataset.path: notes.txt is a file, not a folder: notes.txt/cases.jsonl; "
        "paths resolve relative to the suite file"
    )


def test_invalid_json_names_the_column_without_a_dangling_at(write) -> None:
    suite, data = _suite(write, "d.jsonl", '{"prompt": "a\tb"}\n')
    assert _issues(suite) == [
        f"{data.resolve()}:1: invalid JSON at column 14: invalid control character "
        "(a raw tab or newline inside a string: write it as \\t or \\n)"
    ]


def test_a_case_level_error_names_no_empty_field(write) -> None:
    # Was ":6: : Value error, a case needs ..."
    suite, data = _suite(
        write,
        "d.jsonl",
        '{"id": "a", "p": "x", "m": [{"role": "user", "content": "hi"}]}\n',
        ", fields: {prompt: p, messages: m}",
    )
    (issue,) = _issues(suite)
    assert issue == f"{data.resolve()}:1: a case needs exactly one of 'prompt' or 'messages'"


def test_a_one_megabyte_csv_field_loads(write) -> None:
    big = "word " * 200_000
    suite, _ = _suite(write, "d.csv", f'id,prompt\na,"{big}"\n')
    assert load_suite(suite).cases[0].prompt == big
