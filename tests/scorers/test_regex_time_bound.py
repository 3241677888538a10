"""A suite author's regular expression that backtracks catastrophically on one answer stops the
run with one line naming the pattern and the case, rather than hanging it for ever.

Observed: ``pattern: "(a|aa)+$"`` on the answer ``"aaa...ab"`` (60 letters) left the run at
"scoring m 0/2" for as long as it was let run (about 2^40 steps; Python's ``re`` has no time
limit), with every answer collected and nothing said. Now the match is bounded
(``match.match_seconds``: 5 s and 5 s a million characters): the run fails (exit 3) with the
pattern, the case and the fix, and once the pattern is fixed the run again takes every answer
from the cache (a changed suite is a new run, not a resumed one)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import callable_target

SUITE = """\
suite: redos
cases:
  - {{id: fine, prompt: "hello"}}
  - {{id: slow, prompt: "{slow}"}}
scorers: [{{id: m, use: regex, with: {{pattern: "{pattern}"}}}}]
metrics: [{{id: r, rate: m.matched}}]
gates: [{{metric: r, max: 1}}]
"""

RUN = ("run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report", "--no-evidence")


def test_a_catastrophic_pattern_stops_the_run_with_the_case_and_a_fixed_one_reuses_answers(
    tmp_path: Path,
) -> None:
    callable_target(
        tmp_path, "redos_bot", "def reply(messages):\n    return messages[-1]['content']\n"
    )
    suite = tmp_path / "s.yaml"
    suite.write_text(SUITE.format(slow="a" * 60 + "b", pattern="(a|aa)+$"), encoding="utf-8")

    failed = run_cli(*RUN, cwd=tmp_path, timeout=90)
    assert failed.returncode == 3, failed.stdout + failed.stderr
    assert "Traceback" not in failed.stderr
    first = next(line for line in failed.stderr.splitlines() if line.startswith("error: "))
    assert "(a|aa)+$" in first and "'slow'" in first, first
    assert "backtrack" in first, first
    way_on = failed.stderr.splitlines()[-1]
    assert "--resume" not in failed.stderr  # a changed suite cannot resume the run
    assert "run it again (its answers come from the response cache" in way_on, way_on

    suite.write_text(SUITE.format(slow="a" * 60 + "b", pattern="a+$"), encoding="utf-8")
    done = run_cli(*RUN, cwd=tmp_path, timeout=90)
    assert done.returncode == 0, done.stdout + done.stderr
    (summary,) = (tmp_path / "r").glob("*/summary.json")  # the failed run wrote none
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["metrics"]["r"]["value"] == 0.0
    assert data["counts"]["cached"] == 2
