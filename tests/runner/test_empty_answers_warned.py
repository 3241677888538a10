"""A run whose answers are empty text says so. An endpoint answering "" (a broken chat template,
a filter that blanks its output) was scored as it came: every toxicity, profanity and age gate
passed on nothing said, status "passed", evidence written, and no line anywhere said the
answers were empty. Now the terminal warns, and summary.json and the reports keep the
warning beside the verdicts."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.store.runread import read_run
from tests.testing.cli import run_cli
from tests.testing.project import callable_target

SUITE = """\
suite: blank-answers
cases:
  - {id: a, prompt: hello}
  - {id: b, prompt: blank}
  - {id: c, prompt: blank}
scorers: [{id: m, use: regex, with: {pattern: idiot}}]
metrics: [{id: rude, rate: m.matched}]
gates: [{metric: rude, max: 0.5}]
"""

WARNING = "2 of 3 answers were empty text"


def test_empty_answers_are_named_where_the_verdicts_are(tmp_path: Path) -> None:
    callable_target(
        tmp_path,
        "blank_answer_bot",
        "def reply(messages):\n"
        "    p = messages[-1]['content']\n"
        "    return ' \\n' if p == 'blank' else 'hi there'\n",
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--reports", "r", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert WARNING in done.stdout + done.stderr, done.stdout + done.stderr
    (run_dir,) = (p for p in (tmp_path / "r").iterdir() if p.is_dir())
    warnings = read_run(run_dir).summary.get("warnings") or []
    assert any(WARNING in w and "a#0" not in w and "b#0" in w for w in warnings), warnings
    assert WARNING in (run_dir / "report.md").read_text(encoding="utf-8")


def test_an_answer_a_content_filter_blanked_is_named_by_the_filter_not_as_empty(
    tmp_path: Path,
) -> None:
    # The "not complete:" line names it (cut by the deployment's filter); the empty-text
    # warning's hint (check the target returns the model's text) would send the reader after
    # a response path that is right.
    callable_target(
        tmp_path,
        "filtered_answer_bot",
        "def reply(messages):\n"
        "    p = messages[-1]['content']\n"
        "    if p == 'blank':\n"
        "        return {'text': '', 'finish_reason': 'content_filter'}\n"
        "    return 'hi there'\n",
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--reports", "r", cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "content filter" in out, out
    assert "empty text" not in out, out
