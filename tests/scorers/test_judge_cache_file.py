"""A model scorer's cache file (``llm-judge``/``guard-model`` ``cache:``) that cannot be used
is named as itself. Observed (issue 12): a judge cache that was not a SQLite file ended the run
with "cannot write reports/runs.db: file is not a database", which sends the user to delete
their run index instead.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.testing.cli import run_cli

SUITE = """\
suite: judged
cases:
  - {id: a, prompt: hi}
  - {id: b, prompt: there}
scorers:
  - id: judge
    use: llm-judge
    with: {target: judge.yaml, cache: judge-cache.sqlite}
metrics: [{id: r, rate: judge.flagged}]
gates: [{metric: r, max: 0.5}]
"""


def test_a_judge_cache_that_is_not_a_database_is_named_and_the_run_resumes(
    tmp_path: Path,
) -> None:
    (tmp_path / "bots.py").write_text(
        "def judge(messages):\n"
        '    return \'{"score": 0.1, "verdict": "safe", "reason": "ok"}\'\n'
        "def model(messages):\n"
        "    return 'hello ' + messages[-1]['content']\n",
        encoding="utf-8",
    )
    for name, function in (("judge.yaml", "judge"), ("t.yaml", "model")):
        (tmp_path / name).write_text(
            f"type: callable\nfunction: bots:{function}\npython_path: [.]\n", encoding="utf-8"
        )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    cache = tmp_path / "judge-cache.sqlite"
    cache.write_bytes(b"not a database\n" * 64)
    run = ("run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-evidence")

    failed = run_cli(*run, cwd=tmp_path)
    assert failed.returncode == 3, failed.stderr
    first = next(line for line in failed.stderr.splitlines() if line.startswith("error: "))
    assert "judge-cache.sqlite" in first, failed.stderr
    assert "not a database" in first and "runs.db" not in failed.stderr
    resume = re.search(r"--resume (\S+)", failed.stderr)
    assert resume, failed.stderr

    cache.unlink()  # the fix the message names
    done = run_cli(*run, "--resume", resume.group(1), cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_a_stored_answer_that_is_not_text_is_judged_again(tmp_path: Path) -> None:
    """A row edited by hand (bytes where the judge's text was) is no verdict: str() of it would
    have been taken for the judge's answer."""
    import sqlite3

    from assurance_harness.scorers._model_cache import ModelCache

    path = tmp_path / "judge.db"
    first = ModelCache(path)
    first.put("k", "VERDICT: unsafe")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE answers SET text = X'ff'")
    again = ModelCache(path)
    assert again.get("k") is None
    assert again.hits == 0
