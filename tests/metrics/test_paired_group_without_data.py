"""A paired delta where one group has rows but no value on any of them (every request naming
it failed, as a content filter's 400 on one group's prompts does). Observed: the group vanished
(not in ``groups``, not in ``excluded_groups``), the deltas were measured among the groups
left, and a gate passed on them: a bias gate passing on the very group the deployment failed.
As a disparity with such a group has no figure, so has the paired delta (or its stratum, with
``within``), naming the group; rows and a streamed run's columns alike."""

from __future__ import annotations

from pathlib import Path

from tests.metrics.columns_check import compare_with_rows

SUITE = """suite: pairs
cases:
  - {id: a, prompt: x, metadata: {template: t, group: a, axis: x}}
scorers:
  - {id: m, use: contains, with: {terms: [sorry]}}
metrics:
  - {id: gap, paired: {value: m.matched}}
  - {id: gap_ref, paired: {value: m.matched, reference: girl}}
  - {id: gap_within, paired: {value: m.matched, within: meta.axis}}
gates:
  - {metric: gap, max: 0.5}
  - {metric: gap_ref, max: 0.5}
  - {metric: gap_within, max: 0.5}
"""


def _row(template: str, group: str, matched: bool | None) -> dict:
    failed = matched is None
    return {
        "case_id": f"{template}|{group}",
        "sample": 0,
        "response": None if failed else "r",
        "error": {"type": "client_error", "message": "400"} if failed else None,
        "metadata": {"template": template, "group": group, "axis": "gender"},
        "expected": {},
        "scores": {} if failed else {"m": {"matched": matched, "found": []}},
    }


ROWS = [
    row
    for t in ("t1", "t2", "t3")
    for row in (_row(t, "girl", t == "t1"), _row(t, "boy", False), _row(t, "nb", None))
]


def test_a_group_whose_every_request_failed_leaves_no_figure(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    values, verdicts = compare_with_rows(suite, ROWS, samples=1, chunk=2, seed=0)
    for metric in ("gap", "gap_ref"):
        value = values[metric]
        assert value.value is None, (metric, value)
        assert value.details.get("groups_without_data") == ["nb"], (metric, value.details)
        assert "'nb'" in str(value.details.get("reason")), (metric, value.details)
    within = values["gap_within"]
    assert within.value is None, within
    assert within.groups is not None and within.groups["gender"].value is None
    for verdict in verdicts:
        assert verdict["verdict"] == "no_data", verdict
