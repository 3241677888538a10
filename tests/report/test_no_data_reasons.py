"""A gate without data says why wherever it is shown: the terminal, report.md and report.html
did, but CI reads the JUnit file and the pytest plugin's output, which gave only "checked -;
estimate -, interval -, n=0" and left the reader to find summary.json."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from assurance_harness.pytest_plugin import gate_failure_message
from assurance_harness.store.runread import read_run
from tests.testing.cli import run_cli
from tests.testing.project import callable_target

SUITE = """\
suite: all-failed
max_error_rate: 1.0
cases:
  - {id: a, prompt: one}
  - {id: b, prompt: two}
scorers: [{id: len, use: length}]
metrics: [{id: long, rate: "len.chars > 100"}]
gates: [{metric: long, max: 0.1}]
"""

REASON = "all 2 requests failed, so nothing was scored"


def test_junit_and_pytest_say_why_a_gate_has_no_data(tmp_path: Path) -> None:
    callable_target(tmp_path, "down_bot", "def reply(messages):\n    raise RuntimeError('down')\n")
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--reports", "r", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert REASON in done.stdout
    (run_dir,) = (p for p in (tmp_path / "r").iterdir() if p.is_dir())
    failure = ET.parse(run_dir / "junit.xml").find("testsuite/testcase/failure")
    assert failure is not None and failure.get("type") == "no_data"
    assert REASON in (failure.get("message") or ""), failure.get("message")
    (gate,) = read_run(run_dir).summary["gates"]
    assert REASON in gate_failure_message(gate, run_dir)


GROUP_SUITE = """\
suite: group-down
max_error_rate: 1.0
cases:
  - {id: a, prompt: "1", metadata: {g: x}}
  - {id: b, prompt: "0", metadata: {g: x}}
  - {id: c, prompt: "down", metadata: {g: y}}
  - {id: d, prompt: "down", metadata: {g: y}}
metrics: [{id: r, rate: "float(response) > 0.5", by: meta.g}]
gates: [{metric: r, max: 0.9}]
"""


def test_a_group_without_data_shows_no_worst_case_from_a_group_that_passed(
    tmp_path: Path,
) -> None:
    # Group y failed only for having no data (every request failed); group x and the overall
    # figure passed. The gate's worst case was 'a#0', x's answer '1': the report pointed at a
    # row of a passing group as what failed the gate.
    callable_target(
        tmp_path,
        "half_down_bot",
        "def reply(messages):\n"
        "    p = messages[-1]['content']\n"
        "    if p == 'down':\n"
        "        raise RuntimeError('down')\n"
        "    return p\n",
    )
    (tmp_path / "s.yaml").write_text(GROUP_SUITE, encoding="utf-8")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--reports", "r", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    (run_dir,) = (p for p in (tmp_path / "r").iterdir() if p.is_dir())
    (gate,) = read_run(run_dir).summary["gates"]
    assert gate["verdict"] == "fail" and gate["groups_without_data"] == ["y"], gate
    assert gate["worst_cases"] == [], gate
    # Why y has no data is said where the gate is shown, as for a gate without any.
    why = "group 'y': all 2 requests failed, so nothing was scored"
    assert why in done.stdout, done.stdout
    assert why in (run_dir / "report.md").read_text(encoding="utf-8")
    failure = ET.parse(run_dir / "junit.xml").find("testsuite/testcase/failure")
    assert failure is not None and why in (failure.get("message") or "")
