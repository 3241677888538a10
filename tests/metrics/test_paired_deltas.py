"""Paired counterfactual deltas against a hand-computed example."""

from __future__ import annotations

import pytest

from assurance_harness.metrics.base import MetricContext
from assurance_harness.metrics.paired import PairedDeltaMetric

CTX = MetricContext(seed=1, bootstrap_resamples=500)

# t1: g1 .5, g2 .2, g3 .2 (mean .3) -> deltas  .2, -.1, -.1
# t2: g1 .4, g2 .5, g3 .0 (mean .3) -> deltas  .1,  .2, -.3
# mean deltas: g1 .15, g2 .05, g3 -.2 -> worst |delta| .2 (g3)
TABLE = {
    ("t1", "g1"): 0.5,
    ("t1", "g2"): 0.2,
    ("t1", "g3"): 0.2,
    ("t2", "g1"): 0.4,
    ("t2", "g2"): 0.5,
    ("t2", "g3"): 0.0,
}


def rows(table: dict = TABLE, axis: str = "x") -> list[dict]:
    return [
        {
            "case_id": f"{t}|{g}",
            "sample": 0,
            "error": None,
            "metadata": {"template": t, "group": g, "axis": axis},
            "scores": {"sent": {"compound": v}},
        }
        for (t, g), v in table.items()
    ]


def compute(data: list[dict], **params: object):
    metric = PairedDeltaMetric()
    return metric.compute(data, metric.parse_params({"value": "sent.compound", **params}), CTX)


def test_against_pair_mean() -> None:
    value = compute(rows())
    assert value.groups is not None
    assert {g: v.value for g, v in value.groups.items()} == pytest.approx(
        {"g1": 0.15, "g2": 0.05, "g3": -0.2}
    )
    # the overall value is the furthest group's signed delta, with that group's interval
    assert value.value == pytest.approx(-0.2)
    assert value.details["worst_group"] == "g3"
    assert value.details["max_abs_delta"] == pytest.approx(0.2)
    assert (value.ci_low, value.ci_high) == (value.groups["g3"].ci_low, value.groups["g3"].ci_high)
    assert value.details["n_pairs"] == 2
    for v in [value, *value.groups.values()]:
        assert v.ci_low is not None and v.ci_high is not None
        assert v.ci_low <= v.value <= v.ci_high


def test_against_a_reference_group() -> None:
    value = compute(rows(), reference="g2")
    assert value.groups is not None
    assert set(value.groups) == {"g1", "g3"}
    assert value.groups["g1"].value == pytest.approx((0.3 - 0.1) / 2)
    assert value.groups["g3"].value == pytest.approx((0.0 - 0.5) / 2)
    assert value.value == pytest.approx(-0.25)


def test_incomplete_pairs_and_samples() -> None:
    table = dict(TABLE)
    del table[("t2", "g2")]
    extra_sample = {
        "case_id": "t1|g1",
        "sample": 1,
        "error": None,
        "metadata": {"template": "t1", "group": "g1"},
        "scores": {"sent": {"compound": 0.3}},
    }
    data = [*rows(table), extra_sample]
    value = compute(data, reference="g2")
    assert value.groups is not None
    # t1 only (t2 lacks the reference); g1 averages its two samples: (0.5 + 0.3) / 2 - 0.2
    assert value.groups["g1"].value == pytest.approx(0.2)
    assert value.groups["g1"].n == 1


def test_robustness_deltas_with_none_as_reference() -> None:
    data = []
    for source, base, typo, leet in [("q1", 0.1, 0.1, 0.5), ("q2", 0.0, 0.2, 0.4)]:
        for op, v in [("none", base), ("typo", typo), ("leetspeak", leet)]:
            data.append(
                {
                    "case_id": f"{source}~{op}",
                    "sample": 0,
                    "error": None,
                    "metadata": {"source_id": source, "perturbation": op},
                    "scores": {"tox": {"toxicity": v}},
                }
            )
    metric = PairedDeltaMetric()
    params = metric.parse_params(
        {
            "value": "tox.toxicity",
            "pair_by": "meta.source_id",
            "group": "meta.perturbation",
            "reference": "none",
        }
    )
    value = metric.compute(data, params, CTX)
    assert value.groups is not None
    assert value.groups["typo"].value == pytest.approx(0.1)
    assert value.groups["leetspeak"].value == pytest.approx(0.4)
    assert value.value == pytest.approx(0.4)


def test_within_axis_and_no_pairs() -> None:
    data = rows(axis="gender") + rows({("t9", "a"): 0.0, ("t9", "b"): 0.6}, axis="religion")
    value = compute(data, within="meta.axis")
    assert value.groups is not None
    assert value.groups["gender"].value == pytest.approx(-0.2)
    assert value.groups["religion"].value == pytest.approx(-0.3)  # a: 0.0 - mean 0.3
    assert value.value == pytest.approx(-0.3)  # furthest from zero, sign kept
    assert value.details["worst_stratum"] == "religion"
    assert compute(rows({("t1", "g1"): 0.3})).value is None


def test_gates_read_signed_deltas_the_same_overall_and_per_group() -> None:
    from assurance_harness.metrics.engine import judge_gate
    from assurance_harness.spec.suite import GateSpec

    value = compute(rows())  # groups g1 +0.15, g2 +0.05, g3 -0.2; overall -0.2
    increase_only = judge_gate(GateSpec(metric="m", max=0.1), value, None, [])
    assert increase_only["verdict"] == "fail" and increase_only["failing_groups"] == ["g1"]
    both_ways = judge_gate(GateSpec(metric="m", max=0.25, min=-0.15), value, None, [])
    assert both_ways["verdict"] == "fail" and both_ways["failing_groups"] == ["g3"]
    loose = judge_gate(GateSpec(metric="m", max=0.25, min=-0.25), value, None, [])
    assert loose["verdict"] == "pass"


def test_identical_groups_give_an_exact_zero_not_float_residue() -> None:
    # np.mean([0.1] * 3) is 0.1 + 1.4e-17: the deltas used to be -1.4e-17, printed in reports
    # as "-1.388e-17" with an interval of the same noise.
    table = {(t, g): 0.1 for t in ("t1", "t2", "t3") for g in ("g1", "g2", "g3")}
    value = compute(rows(table))
    assert value.value == 0.0
    # Every pair has the same delta: no zero-width interval, but none, saying why
    # (tests/metrics/test_small_n_paired.py).
    assert (value.ci_low, value.ci_high) == (None, None)
    assert "same delta" in value.details["no_bound_reason"]
    assert value.groups is not None
    assert all(v.value == 0.0 and v.ci_high is None for v in value.groups.values())


def test_worst_cases_are_the_responses_that_moved_not_the_highest_raw_values() -> None:
    # Source s1 is rated 12+ unperturbed and stays 12+ under typo; synonym pushes s2 from 8 to 16.
    # The raw values would put the s1 original and its typo variant first; the delta says s2.
    table = {
        ("s1", "none"): 12.0,
        ("s1", "typo"): 12.0,
        ("s1", "synonym"): 12.0,
        ("s2", "none"): 8.0,
        ("s2", "typo"): 8.0,
        ("s2", "synonym"): 16.0,
        ("s3", "none"): 10.0,
        ("s3", "typo"): 9.0,
    }
    data = rows(table)
    metric = PairedDeltaMetric()
    params = metric.parse_params({"value": "sent.compound", "reference": "none"})
    assert metric.worst_cases(data, params, lower_is_better=True) == ["s2|synonym#0"]
    assert metric.worst_cases(data, params, lower_is_better=False) == ["s3|typo#0"]


def test_worst_cases_within_strata_compare_only_inside_a_stratum() -> None:
    both = rows(TABLE, axis="x") + [
        {**r, "case_id": "y-" + r["case_id"]} for r in rows({("t1", "a"): 0.9, ("t1", "b"): 0.1})
    ]
    for r in both[len(TABLE) :]:
        r["metadata"]["axis"] = "y"
    metric = PairedDeltaMetric()
    params = metric.parse_params({"value": "sent.compound", "within": "meta.axis"})
    worst = metric.worst_cases(both, params, lower_is_better=True)
    # y: a is +0.4 from its pair mean; x: t2|g2 +0.2, t1|g1 +0.2, t2|g1 +0.1
    assert worst is not None and worst[0] == "y-t1|a#0"
    assert set(worst[1:3]) == {"t2|g2#0", "t1|g1#0"}
    assert worst[3:] == ["t2|g1#0"]
