"""What a grouped or skipping figure leaves out is said wherever the figure is shown.

A row whose ``by:`` value is null belongs to no group: a 6-row metric showed n=6 while its
groups held 5, and nothing said where the sixth went. A group named "" showed as nothing
("fail groups: "). A rate that skipped rows without a value recorded ``n_skipped`` in
summary.json only. Each is now said in the console table's notes, report.md and report.html.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import callable_target

SUITE = """\
suite: coverage
cases:
  - {id: a, prompt: bad a, metadata: {group: x, v: 1}}
  - {id: b, prompt: bad b, metadata: {group: "", v: 2}}
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

BOT = (
    'def reply(messages, **_):\n    return "idiot" if "bad" in messages[-1]["content"] else "ok"\n'
)


@pytest.fixture(scope="module")
def coverage_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """One run of the suite: its standard output and its folder."""
    root = tmp_path_factory.mktemp("coverage")
    (root / "suite.yaml").write_text(SUITE, encoding="utf-8")
    callable_target(root, "coverage_bot", BOT, "bot.yaml")
    return _run(root)


def _run(root: Path) -> tuple[str, Path]:
    """Run the suite in ``root`` (once more); its standard output and its folder."""
    before = set((root / "reports").iterdir()) if (root / "reports").exists() else set()
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
    made = set((root / "reports").iterdir()) - before
    run_dir = next(p for p in made if p.is_dir() and "-" in p.name)
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


def test_a_group_named_empty_text_shows_as_quotes(coverage_run: tuple[str, Path]) -> None:
    out, run_dir = coverage_run
    assert sorted(_metric(run_dir, "swear_rate")["groups"]) == ["", "x", "y"]  # data unchanged
    assert 'fail groups: "", x' in out, out
    assert re.search(r'│ +"" 1 +│', out), out  # the label of its own figure
    markdown = (run_dir / "report.md").read_text(encoding="utf-8")
    assert '| "", x' in markdown and '<br>"" 1<br>' in markdown, markdown
    assert '|   ↳ "" | group ❌ fails gate |' in markdown, markdown
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "<td>&#34;&#34;, x" in html and "<strong>&#34;&#34;</strong> 1<" in html
    assert '<tr class="verdict-fail"><td>&#34;&#34;</td>' in html
    assert '<tr class="verdict-fail"><td></td>' not in html  # no blank group name


def test_compare_names_a_group_named_empty_text(coverage_run: tuple[str, Path]) -> None:
    _, first = coverage_run
    _, second = _run(first.parent.parent)
    proc = run_cli(
        "compare",
        str(first),
        str(second),
        "--groups",
        cwd=first.parent.parent,
        env={"COLUMNS": "200"},
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert 'swear_rate[""]' in proc.stdout, proc.stdout
    assert "swear_rate[]" not in proc.stdout, proc.stdout


def test_rows_a_rate_skipped_are_said_beside_its_n(coverage_run: tuple[str, Path]) -> None:
    out, run_dir = coverage_run
    details = _metric(run_dir, "v_rate")["details"]
    assert (_metric(run_dir, "v_rate")["n"], details["n_skipped"]) == (5, 1), details
    note = "n=5, 1 row skipped: no value"
    assert f"v_rate <= 0.1: {note}" in out, out
    assert f"- `v_rate`: {note}" in (run_dir / "report.md").read_text(encoding="utf-8")
    assert note in (run_dir / "report.html").read_text(encoding="utf-8")
    assert "swear_rate <= 0.1: n=" not in out, out  # it skipped none


def test_junit_says_the_n_once_beside_the_rows_skipped(coverage_run: tuple[str, Path]) -> None:
    _, run_dir = coverage_run
    messages = {
        case.get("name"): (case.find("failure").get("message") or "")  # type: ignore[union-attr]
        for case in ET.parse(run_dir / "junit.xml").iter("testcase")
    }
    v_rate = next(text for name, text in messages.items() if "v_rate" in str(name))
    assert "n=5, 1 row skipped: no value" in v_rate, v_rate
    assert "n=5; n=5" not in v_rate, v_rate  # it said the n twice
    swear = next(text for name, text in messages.items() if "swear_rate" in str(name))
    assert 'failing groups: "", x' in swear and "1 row has no meta.group: in no group" in swear
