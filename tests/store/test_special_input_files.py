"""Every file a user names that is not a regular file (a pipe nobody writes to, /dev/zero, a
symlink loop) is a located error, exit 2: never a hang, never an internal error. Each
subprocess has a timeout, so a regression fails instead of hanging the suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.store.inputfiles import INLINE, SUITE, replay_project
from tests.testing.cli import invoke_in_process, run_cli


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_replay_recording_that_is_a_pipe_or_a_device_is_an_error_not_a_hang(
    tmp_path: Path, kind: str
) -> None:
    root = replay_project(tmp_path)
    if kind == "fifo":
        os.mkfifo(root / "rec.jsonl")
    else:
        os.symlink(kind, root / "rec.jsonl")
    proc = run_cli("run", "suite.yaml", "-t", "replay.yaml", "--no-report", cwd=root, timeout=30)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "rec.jsonl" in text and "not a regular file" in text, text
    assert "Traceback" not in text


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_an_expander_file_that_is_a_pipe_or_a_device_is_an_error_not_a_hang(
    tmp_path: Path, kind: str
) -> None:
    extra = "expand: [{use: bold, with: {files: [bold.json]}}]\n"
    (tmp_path / "suite.yaml").write_text(INLINE.replace("{extra}", extra))
    if kind == "fifo":
        os.mkfifo(tmp_path / "bold.json")
    else:
        os.symlink(kind, tmp_path / "bold.json")
    proc = run_cli("validate", "suite.yaml", cwd=tmp_path, timeout=30)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "bold.json" in text and "not a regular file" in text, text


@pytest.mark.parametrize("name", ["cases.jsonl", "cases.csv"])
def test_a_dataset_path_that_is_a_symlink_loop_is_a_located_error_not_an_internal_one(
    tmp_path: Path, name: str
) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE.format(data=name))
    os.symlink(name, tmp_path / name)
    result = invoke_in_process(["validate", str(tmp_path / "suite.yaml")])
    assert result.exit_code == 2, result.output
    assert "suite.yaml:3: dataset.path:" in result.output, result.output
    assert "symbolic link" in result.output and name in result.output, result.output
    assert "internal error" not in result.output


def test_run_with_a_register_that_is_a_fifo_says_so_not_that_there_is_no_such_file(
    tmp_path: Path,
) -> None:
    root = replay_project(tmp_path)
    (root / "rec.jsonl").write_text('{"id": "a", "response": "hi"}\n')
    os.mkfifo(root / "register.yaml")
    proc = run_cli(
        "run",
        "suite.yaml",
        "-t",
        "replay.yaml",
        "--register",
        "register.yaml",
        cwd=root,
        timeout=30,
    )
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "--register register.yaml: not a regular file (a pipe or a device)" in text, text


def test_a_replay_recording_at_dev_stdin_with_it_closed_is_not_a_regular_file(
    tmp_path: Path,
) -> None:
    # With standard input closed, /dev/stdin named no file ("No such file or directory") or
    # whatever file the process opened next as descriptor 0, read as the recording.
    import subprocess

    from tests.spec.test_special_files import CLOSED_STDIN
    from tests.testing.cli import cli_command

    root = replay_project(tmp_path)
    (root / "replay.yaml").write_text("type: replay\npath: /dev/stdin\n")
    proc = subprocess.run(
        CLOSED_STDIN + cli_command("validate", "suite.yaml", "replay.yaml"),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=30,
    )
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "/dev/stdin: path: cannot read the recording: not a regular file" in text, text
