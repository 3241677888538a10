"""A target file's paths that name no usable file (a NUL in the name, a FIFO where the recording
should be, a model folder that holds no model) end ``validate`` and ``run`` in one located
``error:`` line and exit 2: never a traceback, a hang, or an internal error that calls the
user's mistake our bug."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

SUITE = "suite: s\ncases: [{id: a, prompt: hi}]\nmetrics: [{id: failed, rate: error}]\n"


def _both(tmp_path: Path, target: str) -> list[tuple[int, str]]:
    """``validate`` and ``run`` on the target file, each as (exit code, output)."""
    (tmp_path / "t.yaml").write_text(target, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    out = []
    for args in (
        ("validate", "t.yaml"),
        ("run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-evidence"),
    ):
        proc = run_cli(*args, cwd=tmp_path, timeout=30, env={"TMPDIR": str(tmp_path)})
        out.append((proc.returncode, proc.stdout + proc.stderr))
    return out


def _one_located_line(code: int, text: str, *expect: str) -> None:
    assert code == 2, text
    assert "internal error" not in text and "Traceback" not in text, text
    for fragment in expect:
        assert fragment in text, text


@pytest.mark.parametrize(
    ("target", "field"),
    [
        ('type: replay\npath: "rec\\0.jsonl"\n', "path"),
        ('type: transformers\nmodel: "mod\\0el"\n', "model"),
    ],
)
def test_a_nul_in_a_target_path_is_a_located_error(tmp_path: Path, target: str, field: str) -> None:
    # Was: ValueError: embedded null byte, a traceback from validate and an internal error
    # from run.
    for code, text in _both(tmp_path, target):
        _one_located_line(code, text, f"t.yaml:2: {field}:", "NUL")


def test_a_fifo_as_the_recording_is_refused_not_waited_on(tmp_path: Path) -> None:
    # Was: validate and run opened the FIFO and waited for a writer, for ever.
    os.mkfifo(tmp_path / "rec.jsonl")
    for code, text in _both(tmp_path, "type: replay\npath: rec.jsonl\n"):
        _one_located_line(code, text, "rec.jsonl", "not a regular file")


def test_a_fifo_on_a_callable_targets_python_path_is_refused_not_waited_on(
    tmp_path: Path,
) -> None:
    # Was: validate passed it, and run added it to sys.path, where the next scan of the path
    # (package metadata, an import) opened the FIFO and waited for a writer, for ever.
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "echo_mod_f.py").write_text("def reply(messages):\n    return 'ok'\n")
    target = "type: callable\nfunction: echo_mod_f:reply\npython_path: [., fifo]\n"
    for code, text in _both(tmp_path, target):
        _one_located_line(code, text, "python_path", "fifo", "not a folder")


@pytest.mark.parametrize(
    ("files", "expect"),
    [
        ({}, "no config.json"),
        ({"config.json": "{not json"}, "config.json"),
        ({"config.json": "[]"}, "config.json"),
    ],
)
def test_a_model_folder_that_holds_no_model_is_a_located_error(
    tmp_path: Path, files: dict[str, str], expect: str
) -> None:
    # Was: validate passed any existing folder; run then ended in "internal error: ValueError:
    # Couldn't instantiate the backend tokenizer" (an empty folder) or "cannot write
    # reports/<run>: It looks like the config file ... is not a valid JSON file" (the model's
    # config read as a storage fault of the run folder), exit 3 either way.
    (tmp_path / "model").mkdir()
    for name, text in files.items():
        (tmp_path / "model" / name).write_text(text)
    for code, text in _both(tmp_path, "type: transformers\nmodel: model\n"):
        _one_located_line(code, text, "model", expect)
        assert "cannot write" not in text, text


LONG = "x" * 300


@pytest.mark.parametrize(
    ("target", "field"),
    [
        (f"type: transformers\nmodel: {LONG}\n", "model"),
        (f"type: callable\nfunction: bot:reply\npython_path: ['{LONG}']\n", "python_path"),
        (f"type: replay\npath: sub/{LONG}.jsonl\n", "path"),
    ],
)
def test_a_name_longer_than_file_systems_allow_is_a_located_error(
    tmp_path: Path, target: str, field: str
) -> None:
    # Was (fuzz seed 20261211): "internal error: OSError: [Errno 36] File name too long",
    # the user's over-long name called our bug.
    for code, text in _both(tmp_path, target):
        _one_located_line(code, text, "t.yaml:", f"{field}", "255")
