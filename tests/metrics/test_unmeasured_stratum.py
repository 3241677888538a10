"""A ``disparity`` or ``paired`` metric with ``within:`` reports the worst stratum. Where one
stratum has no figure (every request about it failed, or it holds one group), the overall
value was the worst of the OTHER strata, so a gate with ``each_group: false`` passed while a
stratum went unmeasured: the figure claimed a worst it could not know. Now the metric has no
figure, its reason names the stratum, and every gate on it has no data (a failure); each
stratum's own figure is still published in ``groups``. Rows and columns alike."""

from __future__ import annotations

from typing import Any

from tests.metrics.columns_check import compare_with_rows

SUITE = """suite: strata
cases:
  - {id: a, prompt: x, metadata: {template: t1, group: g1, axis: one}}
  - {id: b, prompt: x, metadata: {template: t1, group: g2, axis: one}}
  - {id: c, prompt: x, metadata: {template: t2, group: g1, axis: one}}
  - {id: d, prompt: x, metadata: {template: t2, group: g2, axis: one}}
  - {id: e, prompt: x, metadata: {template: t1, group: g3, axis: two}}
  - {id: f, prompt: x, metadata: {template: t1, group: g4, axis: two}}
scorers:
  - {id: rx, use: regex, with: {pattern: x}}
metrics:
  - {id: gap, disparity: {value: rx.count, by: meta.group, within: meta.axis}}
  - {id: delta, paired: {value: rx.count, within: meta.axis}}
gates:
  - {metric: gap, max: 100, each_group: false}
  - {metric: delta, max: 100, each_group: false}
  - {id: gap each group, metric: gap, max: 100}
"""


def _rows() -> list[dict[str, Any]]:
    """Axis ``one`` answered; every request about axis ``two`` failed."""
    meta = {
        "a": ("t1", "g1", "one"), "b": ("t1", "g2", "one"), "c": ("t2", "g1", "one"),
        "d": ("t2", "g2", "one"), "e": ("t1", "g3", "two"), "f": ("t1", "g4", "two"),
    }  # fmt: skip
    counts = {"a": 1, "b": 2, "c": 3, "d": 5}
    return [
        {
            "case_id": case,
            "sample": 0,
            "response": None if case in "ef" else "r",
            "error": {"type": "http", "message": "refused"} if case in "ef" else None,
            "expected": {},
            "metadata": dict(zip(("template", "group", "axis"), meta[case], strict=True)),
            "scores": {} if case in "ef" else {"rx": {"matched": True, "count": counts[case]}},
        }
        for case in "abcdef"
    ]


def test_a_stratum_without_a_figure_leaves_the_worst_unknown(write) -> None:
    got, verdicts = compare_with_rows(write("s.yaml", SUITE), _rows(), samples=1, chunk=4, seed=1)
    for metric in ("gap", "delta"):
        value = got[metric]
        assert value.value is None and value.n == 0, metric
        why = value.details["no_data_reason"]
        assert "stratum 'two'" in why, why
        # each stratum's own figure stays published
        assert value.groups is not None and value.groups["one"].value is not None, metric
        assert value.groups["two"].value is None, metric
    assert [v["verdict"] for v in verdicts] == ["no_data", "no_data", "no_data"]
    assert "stratum 'two'" in verdicts[0]["no_data_reason"]
