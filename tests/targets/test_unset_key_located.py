"""An unset (or empty) variable a target reads its key from is one configuration error (exit 2)
naming the target file, the line of the field that names the variable, and the fix (``export
NAME=...``), from ``assurance run`` and ``assurance targets check``; the value of no variable
is printed. Real CLI processes; nothing is sent (the variable is checked before the first
request).

Was: ``target staging: environment variable X is not set; export X=...``: the target's name
but not its file, nor the line where the variable is named.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..testing.cli import run_cli

SUITE = (
    "suite: s\ncases:\n  - {id: a, prompt: hello}\n"
    "scorers:\n  - {id: len, use: length}\nmetrics:\n  - {id: long, rate: 'len.words > 1'}\n"
)
UNSET = "PROV3_TEST_KEY_NEVER_SET"


def _files(tmp_path: Path, target: str) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    (tmp_path / "target.yaml").write_text(target, encoding="utf-8")


OPENAI = (
    "type: openai\nname: staging\nbase_url: http://127.0.0.1:9/v1\nmodel: m\n"
    f"api_key_env: {UNSET}\n"
)
HEADER = (
    "type: http\nname: svc\nurl: http://127.0.0.1:9/generate\nresponse_path: text\n"
    "body: {input: '{prompt}'}\nheaders:\n  X-Team: blue\n"
    f"  Authorization: 'Bearer ${{{UNSET}}}'\n"
)
QUERY = (
    "type: http\nname: gem\nbody: {input: '{prompt}'}\nresponse_path: text\n"
    f"url: 'http://127.0.0.1:9/generate?key=${{{UNSET}}}'\n"
)


@pytest.mark.parametrize(
    ("target", "where"),
    [
        (OPENAI, "target.yaml:5: api_key_env: "),
        (HEADER, "target.yaml:8: headers.Authorization: "),
        (QUERY, "target.yaml:5: url: "),
    ],
)
@pytest.mark.parametrize("command", ["run", "check"])
def test_an_unset_key_variable_names_the_file_line_and_fix(
    tmp_path: Path, target: str, where: str, command: str
) -> None:
    _files(tmp_path, target)
    args = (
        ("run", "suite.yaml", "--target", "target.yaml", "--reports", "reports")
        if command == "run"
        else ("targets", "check", "target.yaml")
    )
    ran = run_cli(*args, cwd=tmp_path, timeout=60)
    lines = [line for line in ran.stderr.splitlines() if UNSET in line]
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert len(lines) == 1 and "Traceback" not in ran.stderr, ran.stderr
    assert where in lines[0], lines[0]
    assert f"environment variable {UNSET} is not set" in lines[0], lines[0]
    assert f"export {UNSET}=..." in lines[0], lines[0]


def test_an_empty_key_variable_is_located_and_never_shown(tmp_path: Path) -> None:
    _files(tmp_path, OPENAI)
    ran = run_cli(
        "run", "suite.yaml", "--target", "target.yaml", "--reports", "reports",
        cwd=tmp_path, timeout=60, env={UNSET: "   "},
    )  # fmt: skip
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert f"target.yaml:5: api_key_env: environment variable {UNSET} is empty" in ran.stderr
