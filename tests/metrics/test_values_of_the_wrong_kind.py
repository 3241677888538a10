"""A rate counts true/false, a mean and a quantile numbers. A scorer whose output field is the
text "false" (a third-party plugin that declares no field types, so nothing checked it before
the figures read it) was counted as true by a rate: a non-empty text is truthy. A number where
true/false belongs (0.3) was counted as true too (0 and 1 say one thing, and still count), and
text in a mean was skipped as if it were missing. Now the figure is absent, with a reason naming
the scorer, the field, the value and the case, and a gate on it has no data (a failure, never a
pass). Rows and a streamed run's columns give the same figures and reasons."""

from __future__ import annotations

from typing import Any

from tests.metrics.columns_check import compare_with_rows

SUITE = """suite: kinds
cases:
  - {id: a, prompt: x, metadata: {group: g1}}
  - {id: b, prompt: x, metadata: {group: g1}}
  - {id: c, prompt: x, metadata: {group: g2}}
  - {id: d, prompt: x, metadata: {group: g2}}
scorers:
  - {id: rx, use: regex, with: {pattern: x}}
metrics:
  - {id: flagged, rate: rx.matched, by: meta.group}
  - {id: not_flagged, rate: "not rx.matched"}
  - {id: clean, rate: "rx.count > 0"}
  - {id: avg, mean: rx.count, by: meta.group}
  - {id: p90, quantile: {expr: rx.count, q: 0.9}}
gates:
  - {metric: flagged, max: 1.0}
  - {metric: not_flagged, min: 0.0}
  - {metric: avg, max: 100}
  - {metric: p90, max: 100}
  - {metric: clean, max: 1.0}
"""


def _rows(matched: list[Any], count: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "case_id": case,
            "sample": 0,
            "response": "r",
            "error": None,
            "expected": {},
            "metadata": {"group": "g1" if case in "ab" else "g2"},
            "scores": {"rx": {"matched": m, "count": c}},
        }
        for case, m, c in zip("abcd", matched, count, strict=True)
    ]


def test_text_in_a_rate_or_a_mean_gives_no_figure_and_says_why(write) -> None:
    rows = _rows([True, True, "false", False], [1, 2, 3, "0.5"])
    got, verdicts = compare_with_rows(write("s.yaml", SUITE), rows, samples=1, chunk=3, seed=1)
    flagged = got["flagged"]
    assert flagged.value is None
    reason = flagged.details["no_data_reason"]
    assert "scorer 'rx' gave the text 'false' for field 'matched' in case 'c'" in reason, reason
    assert "a rate needs true/false" in reason, reason
    # The group without the text keeps its figure; the one with it has none.
    assert flagged.groups["g1"].value == 1.0
    assert flagged.groups["g2"].value is None
    assert "in case 'c'" in flagged.groups["g2"].details["no_data_reason"]
    # Read through ``not``, the text is as wrong: not 'false' is False.
    assert got["not_flagged"].value is None
    assert "'false'" in got["not_flagged"].details["no_data_reason"]
    # A comparison's result is true/false: it stands.
    assert got["clean"].value == 1.0
    for metric, word in (("avg", "a mean"), ("p90", "a quantile")):
        value = got[metric]
        assert value.value is None, metric
        why = value.details["no_data_reason"]
        assert "scorer 'rx' gave the text '0.5' for field 'count' in case 'd'" in why, why
        assert f"{word} needs numbers" in why, why
    assert got["avg"].groups["g1"].value == 1.5
    verdict = {v["metric"]: v["verdict"] for v in verdicts}
    assert verdict == {
        "flagged": "no_data",
        "not_flagged": "no_data",
        "avg": "no_data",
        "p90": "no_data",
        "clean": "pass",
    }


def test_a_number_in_a_rate_gives_no_figure(write) -> None:
    rows = _rows([0.3, 2, True, False], [1, 2, 3, 4])
    got, verdicts = compare_with_rows(write("s.yaml", SUITE), rows, samples=1, chunk=4, seed=1)
    reason = got["flagged"].details["no_data_reason"]
    assert "scorer 'rx' gave the number 0.3 for field 'matched' in case 'a'" in reason, reason
    assert "and 1 other row" in reason, reason
    assert verdicts[0]["verdict"] == "no_data"
    # Booleans in a mean are 0 and 1, as documented: only text and the like are refused.
    assert got["avg"].value == 2.5


def test_the_numbers_0_and_1_make_a_rate_as_false_and_true(write) -> None:
    """A dataset's 0/1 label or a scorer's integer flag says one thing only: counted."""
    rows = _rows([1, 0, True, 0.0], [1, 2, 3, 4])
    got, _ = compare_with_rows(write("s.yaml", SUITE), rows, samples=1, chunk=4, seed=1)
    assert got["flagged"].value == 0.5
    assert "no_data_reason" not in got["flagged"].details


def test_true_and_false_still_make_a_rate(write) -> None:
    rows = _rows([True, False, None, False], [1, None, 3, 4])
    got, _ = compare_with_rows(write("s.yaml", SUITE), rows, samples=1, chunk=2, seed=1)
    assert got["flagged"].value == 1 / 3
    assert got["flagged"].details["n_skipped"] == 1
    assert got["avg"].value == 8 / 3


DISPARITY_SUITE = """suite: kinds
cases:
  - {id: a, prompt: x, metadata: {group: g1}}
  - {id: b, prompt: x, metadata: {group: g1}}
  - {id: c, prompt: x, metadata: {group: g2}}
  - {id: d, prompt: x, metadata: {group: g2}}
scorers:
  - {id: rx, use: regex, with: {pattern: x}}
metrics:
  - {id: flag_gap, disparity: {value: rx.matched, by: meta.group, statistic: rate}}
  - {id: count_gap, disparity: {value: rx.count, by: meta.group}}
  - {id: clean_gap, disparity: {value: "rx.count > 0", by: meta.group, statistic: rate}}
gates:
  - {metric: flag_gap, max: 0.6}
  - {metric: count_gap, max: 100}
"""


def test_a_disparity_refuses_the_values_its_statistic_refuses(write) -> None:
    """A disparity of rates read the text "false" as true (``float(bool(raw))``): here group
    g2's rate was 0.5 and the gap 0.5, a pass of ``max: 0.6``, where its values say nothing;
    "false" in every group would have shown no gap at all. A disparity of means skipped the
    text "0.5" as missing and measured the gap without it. Both are the rate's and the mean's
    own rule (``metrics.wrongkind``): no figure, the reason naming the value."""
    rows = _rows([True, True, "false", False], [1, 2, 3, "0.5"])
    got, verdicts = compare_with_rows(
        write("s.yaml", DISPARITY_SUITE), rows, samples=1, chunk=3, seed=1
    )
    flag_gap = got["flag_gap"]
    assert flag_gap.value is None
    reason = flag_gap.details["no_data_reason"]
    assert "scorer 'rx' gave the text 'false' for field 'matched' in case 'c'" in reason, reason
    assert "a rate needs true/false" in reason, reason
    count_gap = got["count_gap"]
    assert count_gap.value is None
    why = count_gap.details["no_data_reason"]
    assert "scorer 'rx' gave the text '0.5' for field 'count' in case 'd'" in why, why
    assert "a mean needs numbers" in why, why
    # A comparison's result is true/false: its gap stands.
    assert got["clean_gap"].value == 0.0
    assert {v["metric"]: v["verdict"] for v in verdicts} == {
        "flag_gap": "no_data",
        "count_gap": "no_data",
    }


PAIRED_SUITE = """suite: kinds
cases:
  - {id: a, prompt: x, metadata: {template: t1, group: g1, axis: one}}
  - {id: b, prompt: x, metadata: {template: t1, group: g2, axis: one}}
  - {id: c, prompt: x, metadata: {template: t2, group: g1, axis: one}}
  - {id: d, prompt: x, metadata: {template: t2, group: g2, axis: one}}
scorers:
  - {id: rx, use: regex, with: {pattern: x}}
metrics:
  - {id: delta, paired: {value: rx.count}}
  - {id: delta_within, paired: {value: rx.count, within: meta.axis}}
gates:
  - {metric: delta, max: 100}
  - {metric: delta_within, max: 100}
"""


def test_a_paired_delta_refuses_text_as_a_mean_does(write) -> None:
    """``paired`` skipped the text "9" as if it were missing: template t2 lost its g2 value,
    so the pair dropped out and the delta (-0.5, from t1 alone) passed ``max: 100`` where one of
    its values says nothing. Its deltas are differences of means: the mean's own rule
    (``metrics.wrongkind``), no figure, the reason naming the value; rows and columns alike."""
    rows = _rows([True] * 4, [1, 2, 3, "9"])
    for row in rows:
        row["metadata"] = {
            "template": "t1" if row["case_id"] in "ab" else "t2",
            "group": "g1" if row["case_id"] in "ac" else "g2",
            "axis": "one",
        }
    got, verdicts = compare_with_rows(
        write("s.yaml", PAIRED_SUITE), rows, samples=1, chunk=3, seed=1
    )
    for metric in ("delta", "delta_within"):
        assert got[metric].value is None, metric
        why = got[metric].details["no_data_reason"]
        assert "scorer 'rx' gave the text '9' for field 'count' in case 'd'" in why, why
        assert "needs numbers" in why, why
    assert {v["metric"]: v["verdict"] for v in verdicts} == {
        "delta": "no_data",
        "delta_within": "no_data",
    }
