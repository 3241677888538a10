"""Runs made before a rate or mean over ONE case of several samples lost its interval
(``stats.intervals.one_cluster_reason``) published Clopper-Pearson over the case's samples,
labelled approximate, and judged gates on it. Such a summary is what that runner wrote, not an
edit: it attaches, its verdicts as recorded. Its interval is still re-derived (the earlier
method is known), so an interval edited in such a summary is refused, as it was before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.stats.intervals import one_cluster_reason

from .made_before import attach, run_project, write_as_made_before, write_register

SUITE = """suite: oc
version: 1.0.0
evidence_for: [R-903]
samples: 4
cases:
  - {id: c0, prompt: Is this answer bad?, metadata: {g: a}}
scorers: [{id: rx, use: regex, with: {pattern: bad}}]
metrics:
  - {id: r, rate: rx.matched}
  - {id: m, mean: rx.count, by: meta.g}
gates:
  - {metric: r, max: 0.9, bound: upper}
  - {metric: m, max: 0.5, bound: upper}
"""

OLD_METHOD = "clopper-pearson (approximate: every outcome from one of the cases)"
OLD_LOW, OLD_HIGH = 0.006309463209709871, 0.8058795503167565
"""What the runner before the change published for 1 hit of one case's 4 samples (the run
of this project by that version, 2026-12-07)."""


def _project(root: Path) -> Path:
    """One case asked four times: one answer says "bad" (rate and mean 0.25)."""
    answers = ["bad", "fine", "fine", "fine"]
    (root / "rec.jsonl").write_text(
        "".join(json.dumps({"id": "c0", "response": a}) + "\n" for a in answers)
    )
    (root / "t.yaml").write_text("name: oc\ntype: replay\npath: rec.jsonl\n")
    (root / "s.yaml").write_text(SUITE)
    write_register(root, risk="R-903", suite="oc", title="Bad answers")
    return run_project(root)


def _old_figure(entry: dict[str, Any]) -> None:
    """``entry`` (a metric or a group) as the earlier runner wrote it."""
    entry.update(ci_low=OLD_LOW, ci_high=OLD_HIGH, method=OLD_METHOD)
    entry["details"].pop("no_bound_reason", None)


def _as_made_before(run_dir: Path) -> dict[str, Any]:
    """summary.json as the runner before the change wrote it for this run: the same figures
    with the approximate interval, ``r``'s gate passed on its upper bound, ``m``'s failed."""
    summary = json.loads((run_dir / "summary.json").read_text())
    metrics = summary["metrics"]
    for entry in (metrics["r"], metrics["m"], metrics["m"]["groups"]["a"]):
        assert entry["ci_high"] is None  # as this version measures it
        _old_figure(entry)
    for gate, verdict in zip(summary["gates"], ("pass", "fail"), strict=True):
        gate.update(checked=OLD_HIGH, verdict=verdict, ci_low=OLD_LOW, ci_high=OLD_HIGH)
        gate.pop("no_data_reason", None)
        gate.pop("groups_without_data", None)
        failed = verdict == "fail"
        gate["failing_groups"] = ["a"] if failed and gate["metric"] == "m" else []
        gate["worst_cases"] = ["c0#0", "c0#1", "c0#2", "c0#3"] if failed else []
    summary.update(status="gates_failed", exit_code=1)
    write_as_made_before(run_dir, summary)
    return summary


def test_a_run_with_the_earlier_interval_of_one_case_attaches(tmp_path: Path) -> None:
    run_dir = _project(tmp_path)
    _as_made_before(run_dir)
    records = attach(tmp_path, run_dir)
    assert [r.verdict for r in records] == ["pass", "fail"], records  # r passed, m failed


def test_an_earlier_interval_edited_to_pass_is_refused(tmp_path: Path) -> None:
    run_dir = _project(tmp_path)
    summary = _as_made_before(run_dir)
    # m's upper bound edited under its limit, overall and in its group; the gate made to pass.
    m = summary["metrics"]["m"]
    m["ci_high"] = m["groups"]["a"]["ci_high"] = 0.45
    summary["gates"][1].update(
        checked=0.45, ci_high=0.45, verdict="pass", failing_groups=[], worst_cases=[]
    )
    summary.update(status="passed", exit_code=0)
    write_as_made_before(run_dir, summary)
    with pytest.raises(Exception, match=r"metric 'm' ci_high is 0.45 but its results give 0.8"):
        attach(tmp_path, run_dir)


def test_an_earlier_group_interval_edited_is_refused(tmp_path: Path) -> None:
    run_dir = _project(tmp_path)
    summary = _as_made_before(run_dir)
    summary["metrics"]["m"]["groups"]["a"]["ci_low"] = 0.05
    write_as_made_before(run_dir, summary)
    match = r"metric 'm' group 'a' ci_low is 0.05 but its results give 0.006"
    with pytest.raises(Exception, match=match):
        attach(tmp_path, run_dir)


def _recomputed(old: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    from assurance_harness.register.one_case_before import as_published_before

    return as_published_before(old, fresh)


def test_the_other_earlier_intervals_are_derived_again_bit_for_bit() -> None:
    """What the runner before the change published (its own output, 2026-12-07): a mean of
    values in [0, 1] over one case's 4 samples, and a flip rate over one source's 5 variants."""
    mean_old = {
        "value": 0.5,
        "n": 4,
        "ci_low": 0.15003898915214947,
        "ci_high": 0.8499610108478506,
        "confidence": 0.95,
        "method": "wilson (values in [0, 1], conservative; approximate: every value from one case)",
    }
    flip_old = {
        "value": 0.4,
        "n": 5,
        "ci_low": 0.05274495052631693,
        "ci_high": 0.8533672003653268,
        "confidence": 0.95,
        "method": "clopper-pearson (approximate: every outcome from one of the sources)",
    }
    for old, unit in ((mean_old, "cases"), (flip_old, "sources")):
        fresh = {
            **old,
            "ci_low": None,
            "ci_high": None,
            "method": one_cluster_reason(old["n"], unit),
        }
        assert _recomputed(old, fresh) == old
        # A recorded method no earlier runner wrote for it: the fresh figure, unchanged.
        other = {**old, "method": "clopper-pearson"}
        assert _recomputed(other, fresh) == fresh
