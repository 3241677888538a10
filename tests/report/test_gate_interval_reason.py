"""A gate whose figure has no interval (a mean of 5 values outside [0, 1]: none below 8 cases)
says why beside its "–" where the gate is shown. summary.json and report.md's metrics
table recorded the reason, but the terminal's gate table and the JUnit message CI reads gave
"–" and nothing else: a figure that could not be computed, silently."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from assurance_harness.store.runread import read_run
from tests.runner.test_retry_errors import Invoke, cli
from tests.testing.project import callable_target

__all__ = ["cli"]  # the fixture, used by name

SUITE = """\
suite: five-lengths
cases:
  - {id: a, prompt: 'a'}
  - {id: b, prompt: 'bb'}
  - {id: c, prompt: 'ccc'}
  - {id: d, prompt: 'dddd'}
  - {id: e, prompt: 'eeeee'}
scorers: [{id: len, use: length}]
metrics: [{id: chars, mean: len.chars}]
gates: [{metric: chars, max: 1}]
"""


def test_a_gate_without_an_interval_says_why(tmp_path: Path, cli: Invoke) -> None:
    callable_target(
        tmp_path, "five_lengths_bot", "def reply(messages):\n    return messages[-1]['content']\n"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    done = cli(tmp_path, "run", "s.yaml", "--target", "t.yaml", "--reports", "r")
    assert done.returncode == 1, done.stdout + done.stderr
    (run_dir,) = (p for p in (tmp_path / "r").iterdir() if p.is_dir())
    summary = read_run(run_dir).summary
    (gate,) = summary["gates"]
    assert gate["verdict"] == "fail" and gate["ci_low"] is None and gate["ci_high"] is None
    why = summary["metrics"]["chars"]["details"]["no_bound_reason"]
    assert why.startswith("no interval: 5 cases"), why
    assert f"chars <= 1: {why}" in done.stdout, done.stdout
    failure = ET.parse(run_dir / "junit.xml").find("testsuite/testcase/failure")
    assert failure is not None and why in (failure.get("message") or ""), failure
