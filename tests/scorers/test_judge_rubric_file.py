"""An ``llm-judge`` rubric file that cannot be read as text (not UTF-8, a FIFO, a folder) ends
the run in one ``error:`` line naming it, exit 2: the fix is the user's file, not our code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

SUITE = """\
suite: judged
cases: [{id: a, prompt: hi}]
scorers:
  - id: judge
    use: llm-judge
    with: {target: judge.yaml, rubric_file: rubric.txt}
metrics: [{id: r, rate: judge.flagged}]
"""


@pytest.mark.parametrize(
    ("damage", "expect"),
    [("not-utf8", "rubric.txt:1: not UTF-8"), ("fifo", "not a regular file"), ("folder", "rubric")],
)
def test_a_rubric_file_that_cannot_be_read_is_one_located_line(
    tmp_path: Path, damage: str, expect: str
) -> None:
    # Was: "internal error: UnicodeDecodeError" (exit 3, "a bug in assurance-harness") for a
    # rubric that was not UTF-8; a FIFO was read as "not found".
    (tmp_path / "bots.py").write_text(
        "def judge(messages):\n"
        '    return \'{"score": 0.1, "verdict": "safe", "reason": "ok"}\'\n'
        "def model(messages):\n"
        "    return 'hello'\n",
        encoding="utf-8",
    )
    for name, function in (("judge.yaml", "judge"), ("t.yaml", "model")):
        (tmp_path / name).write_text(
            f"type: callable\nfunction: bots:{function}\npython_path: [.]\n", encoding="utf-8"
        )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    rubric = tmp_path / "rubric.txt"
    if damage == "not-utf8":
        rubric.write_bytes(b"\xff\xfe judge {response}\n")
    elif damage == "fifo":
        os.mkfifo(rubric)
    else:
        rubric.mkdir()
    proc = run_cli(
        "run",
        "s.yaml",
        "--target",
        "t.yaml",
        "--no-report",
        "--no-evidence",
        cwd=tmp_path,
        timeout=60,
        env={"TMPDIR": str(tmp_path)},
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "internal error" not in output and "Traceback" not in output, output
    assert expect in output, output


def test_a_rubric_file_over_the_limit_is_refused_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each line short (so the line-by-line UTF-8 pass accepted it), the rubric was then read
    # whole by read_text: a file of gigabytes went into memory to become one prompt.
    from assurance_harness.errors import ConfigError
    from assurance_harness.scorers.llm_judge import JudgeParams, read_rubric
    from assurance_harness.store import files

    monkeypatch.setattr(files, "MAX_READ_MB", 0.001)
    (tmp_path / "rubric.txt").write_text("Judge this {response} carefully.\n" * 100)  # 3.4 kB
    params = JudgeParams(target="judge.yaml", rubric_file="rubric.txt")
    with pytest.raises(ConfigError, match=r"rubric\.txt: the file is more than 0\.001 MB"):
        read_rubric(params, tmp_path)
