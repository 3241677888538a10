"""A config or dataset path that names a pipe (or another file that is not a regular one) is a
located error: reading a FIFO waits for a writer that never comes, so ``validate`` hung."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

SUITE = (
    "suite: pipes\nversion: 1.0.0\ndataset: {path: cases.jsonl}\n"
    "scorers: [{id: n, use: length}]\nmetrics: [{id: w, mean: n.words}]\n"
)


def test_validate_of_a_suite_that_is_a_fifo_is_an_error_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "suite.yaml")
    proc = run_cli("validate", "suite.yaml", cwd=tmp_path, timeout=30)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "suite.yaml" in text and "not a regular file" in text, text


def test_a_dataset_that_is_a_fifo_is_an_error_not_a_hang(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    os.mkfifo(tmp_path / "cases.jsonl")
    proc = run_cli("validate", "suite.yaml", cwd=tmp_path, timeout=30)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "cases.jsonl" in text and "not a regular file" in text, text


def test_resume_with_an_empty_run_id_is_a_usage_error_not_a_new_run(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text("def reply(messages):\n    return 'hi'\n")
    (tmp_path / "t.yaml").write_text("type: callable\nfunction: bot:reply\npython_path: ['.']\n")
    (tmp_path / "cases.jsonl").write_text('{"id": "a", "prompt": "hello"}\n')
    (tmp_path / "suite.yaml").write_text(SUITE)
    proc = run_cli("run", "suite.yaml", "--target", "t.yaml", "--resume", "", cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "--resume" in text, text
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_a_fifo_in_a_folder_of_suites_is_reported_or_skipped_not_waited_on(
    tmp_path: Path,
) -> None:
    (tmp_path / "suites").mkdir()
    os.mkfifo(tmp_path / "suites" / "pipe.yaml")
    (tmp_path / "t.yaml").write_text("type: callable\nfunction: bot:reply\npython_path: ['.']\n")
    checked = run_cli("validate", "suites", cwd=tmp_path, timeout=30)
    assert checked.returncode == 2 and "not a regular file" in checked.stderr, checked.stderr
    ran = run_cli("run", "suites", "--target", "t.yaml", cwd=tmp_path, timeout=30)
    assert ran.returncode == 2 and "no suite files found" in ran.stderr, ran.stderr
    alone = run_cli("run", "suites/pipe.yaml", "--target", "t.yaml", cwd=tmp_path, timeout=30)
    assert alone.returncode == 2 and "not a regular file" in alone.stderr, alone.stderr


CLOSED_STDIN = ["sh", "-c", 'exec "$@" <&-', "sh"]
"""Run a command with its standard input closed (prefix its argv with this)."""


@pytest.mark.parametrize("stdin", ["closed", "a pipe", "a regular file"])
def test_a_dataset_path_of_dev_stdin_is_not_a_regular_file_at_the_path_line(
    tmp_path: Path, stdin: str
) -> None:
    # /dev/stdin names whatever the process's standard input is: with it closed, the
    # suite said "dataset file not found" (or read whatever file the process opened next
    # as the dataset); a stream is no dataset file an auditor can find again (with a file
    # as standard input, the run's records would name /dev/stdin, not that file).
    import subprocess

    from tests.testing.cli import cli_command

    (tmp_path / "suite.yaml").write_text(
        SUITE.replace("cases.jsonl}", "/dev/stdin, format: jsonl}")
    )
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "a", "prompt": "hi"}\n')
    with cases.open() as as_file:
        proc = subprocess.run(
            CLOSED_STDIN + cli_command("validate", "suite.yaml")
            if stdin == "closed"
            else cli_command("validate", "suite.yaml"),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
            stdin={"a pipe": subprocess.PIPE, "a regular file": as_file}.get(stdin),
        )
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "suite.yaml:3: dataset.path: is not a regular file (a pipe or a device)" in text, text
