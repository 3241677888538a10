"""A callable target's function that calls ``os._exit`` (a wrapped SDK or CLI that hard-exits
on a fatal error) ended the whole command at once: exit 0, read by CI as "every gate passed",
with no summary, no message and no resume command. The call is refused in the function's
thread and recorded as that request's failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..testing.cli import run_cli

SUITE = """\
suite: osexit
version: 1.0.0
cases: [{id: c1, prompt: q1}, {id: c2, prompt: q2}]
scorers: [{id: len, use: length}]
metrics: [{id: m, mean: len.chars}]
gates: [{metric: m, min: 1000}]
"""


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("import os\ndef answer(messages):\n    os._exit(0)\n", 0),
        ("from os import _exit\ndef answer(messages):\n    _exit(1)\n", 1),
        ("import os\nasync def answer(messages):\n    os._exit(0)\n", 0),
    ],
)
def test_a_function_calling_os_exit_fails_its_request_not_the_process(
    tmp_path: Path, body: str, status: int
) -> None:
    (tmp_path / "exit_model.py").write_text(body, encoding="utf-8")
    (tmp_path / "target.yaml").write_text(
        "type: callable\nfunction: exit_model:answer\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    done = run_cli(
        "run", "suite.yaml", "--target", "target.yaml", "--reports", "reports", cwd=tmp_path
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"os._exit({status})" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert list((tmp_path / "reports").glob("*/summary.json")) or "--resume" in done.stderr


def test_a_module_calling_os_exit_as_it_is_imported_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "exit_on_import.py").write_text(
        "import os\nos._exit(0)\ndef answer(messages):\n    return 'x'\n", encoding="utf-8"
    )
    (tmp_path / "target.yaml").write_text(
        "type: callable\nfunction: exit_on_import:answer\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    done = run_cli(
        "run", "suite.yaml", "--target", "target.yaml", "--reports", "reports", cwd=tmp_path
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot import module 'exit_on_import'" in done.stderr
    assert "os._exit(0)" in done.stderr
