"""Runs made before 2026-12-08 bounded a clustered rate whose outcomes were all alike (no hit in
any sample) as if a case's samples were independent: Korn-Graubard's n* = n, scaled, where now
each case counts as one outcome (``stats.intervals.effective_n``). Such a summary is what that
runner wrote, not an edit: measured again under that rule it attaches where its gates pass
either way. A gate that passed only on the narrower bound is no evidence of a pass (the rule
covered 0.41 of the time for ten cases of ten identical samples), and an interval edited in
such a summary is still refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.errors import UsageError
from assurance_harness.stats.intervals import clopper_pearson

from .made_before import attach, run_project, write_as_made_before, write_register

CASES = "\n".join(
    f"  - {{id: c{c}, prompt: Is this answer bad?, metadata: {{g: {'ab'[c % 2]}}}}}"
    for c in range(10)
)
SUITE = f"""suite: al
version: 1.0.0
evidence_for: [R-904]
samples: 3
cases:
{CASES}
scorers: [{{id: rx, use: regex, with: {{pattern: bad}}}}]
metrics:
  - {{id: r, rate: rx.matched, by: meta.g}}
gates:
  - {{metric: r, max: 0.6, bound: upper}}
"""
NARROW_GATE = "  - {metric: r, max: 0.4, bound: upper}\n"

_KG = "clopper-pearson, clustered over {k} cases (Korn-Graubard effective n {n}); approximate: "
OLD = {
    "": (0.13966209154348713, _KG.format(k=10, n="24.5 of 30")),
    "a": (0.33774859005251534, _KG.format(k=5, n="8.95 of 15")),
    "b": (0.33774859005251534, _KG.format(k=5, n="8.95 of 15")),
}
"""What the runner before the change (734758bd, 2026-12-07) published for this run: the upper
bound and method of the rate overall and in each group (each lower bound 0)."""
_RARER = "only 0 cases hold the rarer outcome (the clustering needs >= 8)"


def _project(root: Path, suite: str = SUITE) -> Path:
    """Ten cases asked three times each, no answer saying "bad": every outcome a miss."""
    answers = [{"id": f"c{c}", "response": "fine"} for c in range(10) for _ in range(3)]
    (root / "rec.jsonl").write_text("".join(json.dumps(a) + "\n" for a in answers))
    (root / "t.yaml").write_text("name: al\ntype: replay\npath: rec.jsonl\n")
    (root / "s.yaml").write_text(suite)
    write_register(root, risk="R-904", suite="al", title="Bad answers")
    return run_project(root)


def _as_made_before(run_dir: Path) -> dict[str, Any]:
    """summary.json as the runner before the change wrote it: the narrower bounds, every gate
    passed on them."""
    summary = json.loads((run_dir / "summary.json").read_text())
    metric = summary["metrics"]["r"]
    for name, entry in (("", metric), *metric["groups"].items()):
        high, method = OLD[name]
        entry.update(ci_low=0.0, ci_high=high, method=method + _RARER)
    for gate in summary["gates"]:
        gate.update(verdict="pass", checked=OLD[""][0], ci_low=0.0, ci_high=OLD[""][0])
        gate.update(failing_groups=[], worst_cases=[])
    summary.update(status="passed", exit_code=0)
    write_as_made_before(run_dir, summary)
    return summary


def test_this_version_bounds_the_rate_by_its_cases(tmp_path: Path) -> None:
    run_dir = _project(tmp_path)
    metric = json.loads((run_dir / "summary.json").read_text())["metrics"]["r"]
    assert (metric["ci_low"], metric["ci_high"]) == clopper_pearson(0, 10)
    assert metric["groups"]["a"]["ci_high"] == clopper_pearson(0, 5)[1]
    assert [r.verdict for r in attach(tmp_path, run_dir)] == ["pass"]


def test_an_earlier_summary_whose_gates_pass_either_way_attaches(tmp_path: Path) -> None:
    run_dir = _project(tmp_path)
    _as_made_before(run_dir)
    assert [r.verdict for r in attach(tmp_path, run_dir)] == ["pass"]


def test_a_pass_only_the_earlier_bound_gave_is_no_evidence(tmp_path: Path) -> None:
    run_dir = _project(tmp_path, SUITE + NARROW_GATE)
    _as_made_before(run_dir)
    with pytest.raises(UsageError, match=r"gate 'r <= 0.4 \(upper bound\)' passed on an "):
        attach(tmp_path, run_dir)


@pytest.mark.parametrize("group", ["", "a"])
def test_an_earlier_interval_edited_is_refused(tmp_path: Path, group: str) -> None:
    run_dir = _project(tmp_path)
    summary = _as_made_before(run_dir)
    metric = summary["metrics"]["r"]
    (metric["groups"][group] if group else metric)["ci_high"] = 0.05
    write_as_made_before(run_dir, summary)
    where = f"group '{group}' " if group else ""
    with pytest.raises(Exception, match=rf"metric 'r' {where}ci_high is 0.05 but its results give"):
        attach(tmp_path, run_dir)
