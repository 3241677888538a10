"""What a grouped or skipping figure leaves out is said wherever the figure is shown.

A row whose ``by:`` value is null belongs to no group: a 6-row metric showed n=6 while its
groups held 5, and nothing said where the sixth went. A group named "" showed as nothing
("fail groups: "). A rate that skipped rows without a value recorded ``n_skipped`` in
summary.json only. Each is now said in the console table's notes, report.md and report.html.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import callable_target

SUITE = """\
suite: coverage
cases:
  - {id: a, prompt: bad a, metadata: {group: x, v: 1}}
  - {id: b, prompt: ok b, metadata: {group: x, v: 2}}
  - {id: c, prompt: ok c, metadata: {group: y}}
  - {id: d, prompt: ok d, metadata: {group: y, v: 1}}
  - {id: e, prompt: ok e, metadata: {group: y, v: 2}}
  - {id: f, prompt: bad f, metadata: {v: 1}}
scorers:
  - {id: swear, use: regex, with: {pattern: "idiot"}}
metrics:
  - {id: swear_rate, rate: swear.matched, by: meta.group}
  - {id: v_rate, rate: "meta.v == 1"}
gates:
  - {metric: swear_rate, max: 0.1}
  - {metric: v_rate, max: 0.1}
"""

BOT = 'def reply(messages, **_):\n    return "idiot" if "bad" in messages[-1]["content"] else "ok"\n'


@pytest.fixture(scope="module")
def coverage_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """One run of the suite: its standard output and its folder."""
    root = tmp_path_factory.mktemp("coverage")
    (root / "suite.yaml").write_text(SUITE, encoding="utf-8")
    callable_target(root, "coverage_bot", BOT, "bot.yaml")
    proc = run_cli(
        "run",
        "suite.yaml",
        "--target",
        "bot.yaml",
        "--reports",
        "reports",
        "--no-evidence",
        cwd=root,
        env={"COLUMNS": "200"},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    run_dir = next(p for p in (root / "reports").iterdir() if p.is_dir() and "-" in p.name)
    return proc.stdout, run_dir


def _metric(run_dir: Path, metric_id: str) -> dict[str, Any]:
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    metric: dict[str, Any] = summary["metrics"][metric_id]
    return metric


def test_rows_in_no_group_are_counted_and_said(coverage_run: tuple[str, Path]) -> None:
    out, run_dir = coverage_run
    metric = _metric(run_dir, "swear_rate")
    in_groups = sum(g["n"] for g in metric["groups"].values())
    assert (metric["n"], in_groups) == (6, 5), metric
    assert metric["details"]["n_no_group"] == 1, metric["details"]
    note = "1 row has no meta.group: in no group"
    assert f"swear_rate <= 0.1: {note}" in out, out
    assert note in (run_dir / "report.md").read_text(encoding="utf-8")
    assert note in (run_dir / "report.html").read_text(encoding="utf-8")
    # a metric without by: says nothing of groups
    assert "n_no_group" not in _metric(run_dir, "v_rate")["details"]
    assert "v_rate <= 0.1: 1 row has no" not in out, out
