"""A disparity of a numeric value whose group holds a single case has no upper bound on its
gap (Welch's interval needs two cases a group to read a variance). Observed: the bound was
``inf``, summary.json held ``Infinity`` (which strict JSON readers refuse), and a run that
writes evidence ended with ``internal error: ValueError: Out of range float values are not
JSON compliant`` after every response was in. The bound is now null and a gate on it is
``no_data``, saying why."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli

TARGET = "def reply(messages):\n    return messages[-1]['content']\n"

SUITE = """suite: unbounded-gap
evidence_for: [R-003]
cases:
  - {id: a, prompt: "aaa", metadata: {g: x}}
  - {id: b, prompt: "aaaaa", metadata: {g: x}}
  - {id: c, prompt: "aaaa", metadata: {g: x}}
  - {id: d, prompt: "aaaaaa", metadata: {g: y}}
scorers: [{id: len, use: length}]
metrics:
  - {id: gap, disparity: {value: len.chars, by: meta.g}}
gates:
  - {metric: gap, max: 100, bound: upper}
"""


def test_a_group_of_one_case_leaves_the_gap_without_an_upper_bound(
    tmp_path: Path, repo_root: Path
) -> None:
    (tmp_path / "gap_target.py").write_text(TARGET, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: gap_target:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    register = (repo_root / "register" / "risk_register.yaml").read_text(encoding="utf-8")
    (tmp_path / "register.yaml").write_text(
        register.replace("target: targets/demo.yaml", "target: t.yaml"), encoding="utf-8"
    )
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--register", "register.yaml",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    (summary_path,) = (tmp_path / "r").glob("*/summary.json")
    text = summary_path.read_text(encoding="utf-8")
    assert "Infinity" not in text and "NaN" not in text
    summary = json.loads(text)
    metric = summary["metrics"]["gap"]
    assert metric["value"] == 2.0 and metric["ci_high"] is None
    (gate,) = summary["gates"]
    assert gate["verdict"] == "no_data" and gate["checked"] is None
    assert "'y'" in gate["no_data_reason"] and "single case" in gate["no_data_reason"]
    ledger = (tmp_path / "r" / "evidence" / "ledger.jsonl").read_text(encoding="utf-8")
    assert summary["run_id"] in ledger
