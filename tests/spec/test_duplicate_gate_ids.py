"""Two gates of one suite under one id (given, or the default ``<metric> <op> <threshold>``).

Observed: ``gates: [{metric: avg, max: 0.5, id: g}, {metric: avg, max: 0.4, id: g}]`` gave
"1 file(s) valid"; the evidence ledger and the reports key on the gate id, so one gate's
verdict hid the other's. The default id writes a threshold with 6 significant digits, so
``max: 0.15`` and ``max: 0.1500001`` were both ``avg <= 0.15``. Default ids are what old
summaries record, so they stay as they are: the duplicate is refused instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite
from tests.testing.cli import run_cli

SUITE = (
    "suite: x\ncases: [{{id: a, prompt: hi}}]\nmetrics:\n  - {{id: avg, rate: error}}\n"
    "gates:\n{gates}"
)


@pytest.mark.parametrize(
    "gates",
    [
        ["{metric: avg, max: 0.5, id: g}", "{metric: avg, max: 0.4, id: g}"],
        ["{metric: avg, max: 0.15}", "{metric: avg, max: 0.1500001}"],
        ["{metric: avg, max: 0.5}", "{metric: avg, max: 0.4, id: 'avg <= 0.5'}"],
    ],
)
def test_two_gates_under_one_id_are_refused(write, gates: list[str]) -> None:
    path = write("s.yaml", SUITE.format(gates="".join(f"  - {g}\n" for g in gates)))
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    issues = info.value.issues
    assert len(issues) == 1, [str(i) for i in issues]
    issue = issues[0]
    assert issue.line == 7 and issue.field == "gates[1]", str(issue)
    assert "gates[0]" in issue.message and "id:" in str(issue), str(issue)


def test_gates_with_their_own_ids_pass(write) -> None:
    gates = ["{metric: avg, max: 0.15}", "{metric: avg, max: 0.1500001, id: tighter}"]
    suite = load_suite(write("s.yaml", SUITE.format(gates="".join(f"  - {g}\n" for g in gates))))
    assert [g.label for g in suite.suite.gates] == ["avg <= 0.15", "tighter"]


def test_validate_names_both_gates_in_one_line(tmp_path: Path) -> None:
    gates = "  - {metric: avg, max: 0.5, id: g}\n  - {metric: avg, max: 0.4, id: g}\n"
    (tmp_path / "s.yaml").write_text(SUITE.format(gates=gates), encoding="utf-8")
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    lines = [line for line in out.splitlines() if line.startswith("s.yaml:7: gates[1]")]
    assert len(lines) == 1 and "gates[0]" in lines[0] and "'g'" in lines[0], out
    assert "Traceback" not in out and "valid" not in out.replace("invalid", ""), out
