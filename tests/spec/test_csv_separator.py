"""A CSV dataset separated by semicolons or tabs (a spreadsheet's export in many locales) is read
comma-separated: its header is one column named "id;prompt", and the error said there was no
column 'prompt', listing "id;prompt". Now the header is refused at line 1, naming the separator
and the fix."""

from __future__ import annotations

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite

from ..testing.cli import run_cli


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_header_separated_by_another_character_names_it(write, sep: str, name: str) -> None:
    write("d.csv", f"id{sep}prompt\na{sep}hello\n")
    suite = write("s.yaml", "suite: x\ndataset: {path: d.csv}\n")
    with pytest.raises(ConfigError) as info:
        load_suite(suite)
    (issue,) = info.value.issues
    problem = str(issue)
    assert "d.csv:1: " in problem and name in problem, problem
    assert "comma" in problem, problem
    done = run_cli("validate", suite)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "comma-separated" in done.stderr.splitlines()[0], done.stderr


def test_a_one_column_csv_whose_text_has_a_semicolon_loads(write) -> None:
    write("d.csv", "prompt\nfirst; then second\n")
    suite = write("s.yaml", "suite: x\ndataset: {path: d.csv}\n")
    (case,) = load_suite(suite).cases
    assert case.prompt == "first; then second"
