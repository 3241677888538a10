"""The data files expanders read (BOLD prompt files, attack libraries, groups files) end in one
located configuration error whatever they hold, never in an internal error, and a file whose
shape would be read as something else is refused rather than expanded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

NOT_UTF8 = b"\xff\xfe{}"

EXPANDERS = {
    "bold": "cases: []\nexpand: [{use: bold, with: {files: [DATA]}}]\n",
    "attack": "cases: [{id: a, prompt: hi}]\nexpand: [{use: attack, with: {library: DATA}}]\n",
    "counterfactual": (
        "cases: [{id: a, prompt: 'hi {person}'}]\n"
        "expand: [{use: counterfactual, with: {groups: DATA}}]\n"
    ),
}


def _validate(tmp_path: Path, expander: str, data: str) -> tuple[int, str]:
    suite = "suite: s\n" + EXPANDERS[expander].replace("DATA", data)
    (tmp_path / "s.yaml").write_text(suite + "metrics: [{id: failed, rate: error}]\n")
    proc = run_cli("validate", "s.yaml", cwd=tmp_path, env={"TMPDIR": str(tmp_path)})
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("expander", sorted(EXPANDERS))
@pytest.mark.parametrize("damage", ["not-utf8", "folder"])
def test_an_unreadable_data_file_is_a_located_configuration_error(
    tmp_path: Path, expander: str, damage: str
) -> None:
    # A data file that is not UTF-8, or a folder, ended in "internal error: UnicodeDecodeError"
    # or "IsADirectoryError" (exit 3, a crash report) at validate and at run.
    if damage == "folder":
        (tmp_path / "data_prompt.json").mkdir()
        expect = "cannot read"
    else:
        (tmp_path / "data_prompt.json").write_bytes(NOT_UTF8)
        expect = "data_prompt.json:1: not UTF-8"
    code, output = _validate(tmp_path, expander, "data_prompt.json")
    assert code == 2, output
    assert expect in output, output
    assert "internal error" not in output and "Traceback" not in output, output
    assert not list(tmp_path.glob("assurance-crash-*")), output


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"G1": ["Jane is a"]}', "group 'G1'"),
        ('{"G1": {"jane": [5, null]}}', "group 'G1'"),
        # A string where the list of prompts belongs was read a character at a time: one case
        # per letter ("J", "a", "n" ...), each sent and scored.
        ('{"G1": {"jane": "Jane is a"}}', "group 'G1'"),
    ],
)
def test_a_bold_file_of_another_shape_is_refused(tmp_path: Path, content: str, says: str) -> None:
    (tmp_path / "x_prompt.json").write_text(content)
    code, output = _validate(tmp_path, "bold", "x_prompt.json")
    assert code == 2, output
    assert "x_prompt.json" in output and says in output, output
    assert "internal error" not in output, output


@pytest.mark.parametrize("expander", ["bold", "attack"])
def test_a_data_file_nested_past_the_reader_s_limit_is_a_configuration_error(
    tmp_path: Path, expander: str
) -> None:
    # A RecursionError from the JSON or YAML reader: "internal error" at validate and at run.
    (tmp_path / "deep_prompt.json").write_text('{"G": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, output = _validate(tmp_path, expander, "deep_prompt.json")
    assert code == 2, output
    assert "deep_prompt.json" in output and "nested" in output and "deep" in output, output
    assert "internal error" not in output, output


@pytest.mark.parametrize("expander", sorted(EXPANDERS))
@pytest.mark.parametrize(
    ("data", "expect"),
    [
        ("fifo", "not a regular file"),
        ("'~no_such_user_xyz/data.json'", "no_such_user_xyz"),
        ('"da\\0ta.json"', "NUL"),
    ],
)
def test_a_data_path_that_names_no_readable_file_is_one_line(
    tmp_path: Path, expander: str, data: str, expect: str
) -> None:
    # Was: a FIFO was opened and waited on for ever (validate hung); '~user' of a user this
    # machine does not have ended in "RuntimeError: Could not determine home directory", a
    # traceback; a NUL read as "not found".
    os.mkfifo(tmp_path / "fifo")
    suite = "suite: s\n" + EXPANDERS[expander].replace("DATA", data)
    (tmp_path / "s.yaml").write_text(suite + "metrics: [{id: failed, rate: error}]\n")
    proc = run_cli("validate", "s.yaml", cwd=tmp_path, timeout=30, env={"TMPDIR": str(tmp_path)})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert expect in output, output
    assert "internal error" not in output and "Traceback" not in output, output
