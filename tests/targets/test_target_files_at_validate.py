"""What a target's start() refuses without sending anything (its recording missing or damaged,
its function's module not found, its model directory absent) is found by ``validate``, with
the same message: a file that validates must not fail ``run`` as a configuration error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli

SUITE = "suite: s\ncases: [{id: a, prompt: hi}]\nmetrics: [{id: failed, rate: error}]\n"


@pytest.mark.parametrize(
    ("target", "files", "expect"),
    [
        ("type: replay\npath: absent.jsonl\n", {}, "cannot read the recording"),
        (
            "type: replay\npath: r.jsonl\n",
            {"r.jsonl": '{"id": "a", "response": "ok"}\n{broken\n'},
            "r.jsonl:2: not valid JSON",
        ),
        (
            "type: replay\npath: r.jsonl\n",
            {"r.jsonl": '{"id": "a", "answer": "ok"}\n'},
            "r.jsonl:1: record has no 'response'",
        ),
        (
            "type: replay\npath: r.jsonl\n",
            {"r.jsonl": '{"id": "a", "response": {"text": "ok"}}\n'},
            "r.jsonl:1: 'response' is an object, not text",
        ),
        ("type: callable\nfunction: no_such_module_xyz:reply\n", {}, "cannot import module"),
        ("type: callable\nfunction: nocolon\n", {}, "not of the form module:function"),
        (
            "type: callable\nfunction: helper_mod_w:reply\npython_path: [.]\n",
            {"helper_mod_w.py": "def answer(messages):\n    return 'ok'\n"},
            "module 'helper_mod_w' has no function 'reply'",
        ),
        ("type: transformers\nmodel: no-such-model-dir\n", {}, "does not exist"),
    ],
)
def test_what_start_would_refuse_fails_validate_as_it_fails_run(
    tmp_path: Path, target: str, files: dict[str, str], expect: str
) -> None:
    (tmp_path / "t.yaml").write_text(target)
    (tmp_path / "s.yaml").write_text(SUITE)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    checked = run_cli("validate", tmp_path / "t.yaml", cwd=tmp_path)
    ran = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-evidence", cwd=tmp_path
    )
    for proc in (ran, checked):
        text = proc.stdout + proc.stderr
        assert proc.returncode == 2, text
        assert expect in text, text
        assert "internal error" not in text and "Traceback" not in text, text


def test_a_sound_recording_and_function_still_validate(tmp_path: Path) -> None:
    (tmp_path / "r.jsonl").write_text('{"id": "a", "response": "ok"}\n')
    (tmp_path / "replay.yaml").write_text("type: replay\npath: r.jsonl\n")
    (tmp_path / "helper_mod_v.py").write_text("def reply(messages):\n    return 'ok'\n")
    (tmp_path / "callable.yaml").write_text(
        "type: callable\nfunction: helper_mod_v:reply\npython_path: [.]\n"
    )
    proc = run_cli("validate", tmp_path / "replay.yaml", tmp_path / "callable.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 file(s) valid" in proc.stdout
