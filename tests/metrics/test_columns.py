"""A streamed run's compact metric state (``metrics.columns``) gives exactly the metric values,
no-data reasons and gate worst cases that the engine computes from rows."""

from __future__ import annotations

import json
import random

import pytest

from assurance_harness.metrics.columns import MetricColumns, compact_supported
from assurance_harness.metrics.engine import compute_metrics, judge_gate
from assurance_harness.spec.loader import load_suite
from tests.metrics.columns_check import compare_with_rows

SUITE = """suite: columns
cases:
  - {id: a, prompt: x, metadata: {group: g1, keep: true}}
  - {id: b, prompt: x, metadata: {group: g2, keep: false}}
scorers:
  - {id: len, use: length}
  - {id: rx, use: regex, with: {pattern: x}}
  - {id: loose, use: regex, with: {pattern: y}}
metrics:
  - {id: flagged, rate: rx.matched, by: meta.group, where: meta.keep}
  - {id: flagged_all, rate: rx.matched}
  - {id: words, mean: len.words, by: meta.group}
  - {id: unit_mean, mean: len.chars < 40}
  - {id: p90, quantile: {expr: len.words, q: 0.9}}
  - {id: gap, disparity: {value: len.words, by: meta.group}}
  - {id: gap_rate, disparity: {value: rx.matched, by: meta.group, statistic: rate}}
  - {id: gap_overall, disparity: {value: len.chars, by: meta.group, relative_to: overall}}
  - {id: nothing, mean: rx.count}
  - {id: none_kept, rate: rx.matched, where: rx.matched and not rx.matched}
  - {id: loose, rate: loose.matched, by: meta.group}
  - {id: loose_mean, mean: loose.matched, by: meta.group}
gates:
  - {metric: flagged, max: 0.0, each_group: true}
  - {metric: flagged_all, min: 0.99}
  - {metric: words, min: 1000}
  - {metric: p90, max: -1}
  - {metric: nothing, max: 1}
  - {metric: loose, max: 1}
"""


def _row(case_id: str, sample: int, error: dict | None, meta: dict, scores: dict) -> dict:
    """A scored row (no scores when its request failed)."""
    return {
        "case_id": case_id,
        "sample": sample,
        "response": "r",
        "error": error,
        "expected": {},
        "metadata": meta,
        "scores": {} if error else scores,
    }


def _rows(n_cases: int, samples: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n_cases):
        group = rng.choice(["g1", "g2", "g3", None])
        for sample in range(samples):
            error = {"type": "timeout", "message": "t"} if rng.random() < 0.05 else None
            words = rng.choice([None, float("nan"), True]) if rng.random() < 0.1 else None
            if words is None and rng.random() < 0.95:
                words = rng.randint(0, 60) + rng.random()
            matched = rng.choice([True, False, False, None])
            meta = {"group": group, "keep": rng.random() < 0.9}
            scores = {} if error else {"len": {"words": words, "chars": rng.randint(0, 80)}}
            if scores and words is None and i % 2:  # a scorer that could not read its answer
                scores["len"]["parse_error"] = True
            # Values a rate or a mean cannot count ("yes", 0, a list): no figure where a
            # group has one (``metrics.wrongkind``), alike from rows and columns.
            loose = rng.choice([True, False, None, 1.5, 0, [1]] + ["yes"] * (i % 3 == 0))
            rx = {"matched": matched, "parse_error": matched is None}
            scores = {**scores, "rx": rx, "loose": {"matched": loose}}
            rows.append(_row(f"c{i}", sample, error, meta, scores))
    return rows


@pytest.mark.parametrize(("samples", "chunk"), [(1, 7), (3, 50)])
def test_columns_equal_rows(write, samples: int, chunk: int) -> None:
    loaded = load_suite(write("s.yaml", SUITE))
    gates = loaded.suite.gates
    assert compact_supported(loaded.metrics, gates)
    rows = _rows(240, samples, seed=samples)
    columns = MetricColumns(
        loaded.metrics, samples=samples, case_id=lambda i: rows[i * samples]["case_id"]
    )
    for start in range(0, len(rows), chunk):
        columns.add(rows[start : start + chunk])

    expected = compute_metrics(loaded.metrics, rows, seed=5)
    got = columns.compute(seed=5)
    for spec in loaded.metrics:
        want = json.dumps(expected[spec.id].to_dict(), sort_keys=True)
        assert json.dumps(got[spec.id].to_dict(), sort_keys=True) == want, spec.id
    assert "no_data_reason" in got["nothing"].details
    assert "no_data_reason" in got["none_kept"].details
    # skipped rows a scorer could not read are counted alike (``engine.note_unread``)
    assert got["flagged_all"].details["n_skipped_unread"]["rx"] > 0
    assert any("n_skipped_unread" in g.details for g in got["words"].groups.values())

    specs = {m.id: m for m in loaded.metrics}
    for gate in gates:
        spec = specs[gate.metric]
        from_rows = judge_gate(gate, expected[gate.metric], spec, rows)
        from_columns = judge_gate(gate, got[gate.metric], spec, columns)
        assert from_columns == from_rows, gate.metric
        if gate.metric == "loose":
            assert from_rows["verdict"] == "no_data", from_rows
        elif gate.metric != "nothing":
            assert from_rows["verdict"] == "fail" and from_rows["worst_cases"], gate.metric
    assert "for field 'matched'" in got["loose"].details["no_data_reason"]
    assert "a mean needs numbers" in got["loose_mean"].details["no_data_reason"]


def test_worst_first_is_the_head_of_a_stable_sort() -> None:
    import numpy as np

    from assurance_harness.metrics.columns import _worst_first

    rng = np.random.default_rng(5)
    for values in (
        rng.integers(0, 4, 500).astype(float),  # many ties at the threshold
        rng.normal(size=300),
        np.array([0.0, -0.0, 1.0, np.inf, -np.inf, 1.0, 0.0]),
        np.zeros(3),
    ):
        for k in (1, 2, 5, 10, 1000):
            expected = np.argsort(-values, kind="stable")[:k]
            assert np.array_equal(_worst_first(values, k), expected)


# The rows are made by _gap_rows; the cases are there for validate, which counts them:
# within_small's groups need min_group_size (4) cases each where meta.keep.
GAPS = """suite: gaps
cases:
  - {id: a0, prompt: x, metadata: {group: g1, axis: age, region: n, keep: true}}
  - {id: a1, prompt: x, metadata: {group: g1, axis: age, region: n, keep: true}}
  - {id: a2, prompt: x, metadata: {group: g1, axis: age, region: n, keep: true}}
  - {id: a3, prompt: x, metadata: {group: g1, axis: age, region: n, keep: true}}
  - {id: b0, prompt: x, metadata: {group: g2, axis: age, region: n, keep: true}}
  - {id: b1, prompt: x, metadata: {group: g2, axis: age, region: n, keep: true}}
  - {id: b2, prompt: x, metadata: {group: g2, axis: age, region: n, keep: true}}
  - {id: b3, prompt: x, metadata: {group: g2, axis: age, region: n, keep: true}}
scorers:
  - {id: len, use: length}
  - {id: rx, use: regex, with: {pattern: x}}
metrics:
  - {id: gap, disparity: {value: len.words, by: meta.group}}
  - {id: gap_rate, disparity: {value: rx.matched, by: meta.group, statistic: rate}}
  - {id: within, disparity: {value: len.words, by: meta.group, within: meta.axis}}
  - id: within_rate
    disparity: {value: rx.matched, by: meta.group, statistic: rate, within: meta.axis}
  - id: within_ratio
    disparity: {value: len.chars, by: meta.group, method: ratio, within: meta.axis}
  - id: within_small
    disparity: {value: len.words, by: meta.group, within: meta.axis, min_group_size: 4}
    where: meta.keep
  - {id: gap_by, disparity: {value: len.chars, by: meta.group}, by: meta.axis}
  - id: within_by
    disparity: {value: rx.matched, by: meta.group, statistic: rate, within: meta.axis}
    by: meta.region
  - {id: overall_gap, disparity: {value: len.words, by: meta.group, relative_to: overall}}
  - {id: ungated, disparity: {value: len.words, by: meta.group, within: meta.axis}}
gates:
  - {metric: gap, max: 0.0}
  - {metric: gap_rate, max: 0.0}
  - {metric: within, max: 0.0}
  - {metric: within_rate, max: 0.0}
  - {metric: within_ratio, min: 1.0}
  - {metric: within_small, max: 0.0}
  - {metric: gap_by, max: 0.0}
  - {metric: within_by, max: 0.0}
  - {metric: overall_gap, max: 0.0}
"""


def _gap_rows(n_cases: int, samples: int, seed: int) -> list[dict]:
    """Rows whose groups, strata and values have nulls, ties (small integers, rates), errors,
    a group spelt "None" beside null groups, and case ids whose text order is not their run
    order (c10 before c2): the worst cases' ties are broken by the key's text. Values a rate or
    a mean cannot count (text) would leave these disparities without a figure
    (tests/metrics/test_values_of_the_wrong_kind.py), so there are none."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_cases):
        group = rng.choice(["g1", "g2", "g3", "None", None])
        axis = rng.choice(["age", "gender", "gender", None])
        region = rng.choice(["n", "s"])
        for sample in range(samples):
            error = {"type": "timeout", "message": "t"} if rng.random() < 0.05 else None
            words = rng.choice([None, 7.5, float("nan"), True, -0.0])
            if rng.random() < 0.9:
                words = rng.randint(0, 6) if rng.random() < 0.7 else rng.random() * 10
            meta = {"group": group, "axis": axis, "region": region, "keep": rng.random() < 0.85}
            scores = (
                {}
                if error
                else {
                    "len": {"words": words, "chars": rng.randint(0, 5)},
                    "rx": {"matched": rng.choice([True, False, False, None, 1, 0])},
                }
            )
            rows.append(_row(f"c{i}", sample, error, meta, scores))
    return rows


@pytest.mark.parametrize(
    ("samples", "chunk", "seed"), [(1, 7, 1), (1, 64, 2), (3, 50, 3), (2, 1, 4), (1, 500, 5)]
)
def test_within_and_gated_disparities_from_columns(
    write, samples: int, chunk: int, seed: int
) -> None:
    """A disparity with ``within`` (strata) or under a gate (its worst cases pair both sides
    of the gap) is computed from columns: values, intervals and worst cases as from rows."""
    _, verdicts = compare_with_rows(
        write("g.yaml", GAPS),
        _gap_rows(150, samples, seed),
        samples=samples,
        chunk=chunk,
        seed=seed,
    )
    named = sum(len(v["worst_cases"]) for v in verdicts)
    assert named > 30  # the gates fail and name cases: the comparison is not vacuous


BBQ = """suite: bbq
cases:
  - {id: a, prompt: x, metadata: {group: g1, keep: true}}
scorers:
  - {id: bbq, use: bbq-answer}
  - {id: other, use: bbq-answer}
# max_unreadable: 1: about a quarter of the answers below are unread, and every gate here
# fails on a figure (a condition with more unread has none: test_bbq_unreadable.py)
metrics:
  - id: bias_ambig
    bbq: {scorer: bbq, statistic: bias, context: ambig, max_unreadable: 1}
    by: meta.group
  - id: bias_dis
    bbq: {scorer: bbq, statistic: bias, context: disambig, max_unreadable: 1}
    where: meta.keep
  - id: acc_ambig
    bbq: {scorer: bbq, statistic: accuracy, context: ambig, max_unreadable: 1}
    by: meta.group
  - {id: acc_dis, bbq: {scorer: bbq, statistic: accuracy, context: disambig, max_unreadable: 1}}
  - {id: acc_other, bbq: {scorer: other, statistic: accuracy, context: disambig, max_unreadable: 1}}
gates:
  - {metric: bias_ambig, max: -2}
  - {metric: bias_dis, max: -2}
  - {metric: acc_ambig, min: 1.01}
  - {metric: acc_dis, min: 1.01}
  - {metric: acc_other, min: 1.01}
"""


def _bbq_rows(n_cases: int, samples: int, seed: int) -> list[dict]:
    """``bbq-answer`` records of both context conditions: unparsed, "unknown", no target,
    truthy non-boolean fields, missing records, failed requests; a case's samples alike
    (mostly), as a model's are."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_cases):
        group = rng.choice(["g1", "g2", None])
        condition = rng.choice(["ambig", "disambig", "disambig", None])
        answer = rng.choice([(True, False), (True, True), (False, None), (True, None)])
        for sample in range(samples):
            error = {"type": "timeout", "message": "t"} if rng.random() < 0.05 else None
            parsed, unknown = answer if rng.random() < 0.8 else (rng.random() < 0.9, False)
            record = {
                "parsed": parsed,
                "is_unknown": unknown if parsed else None,
                "correct": rng.choice([True, False, 1, 0, None]),
                "biased": rng.choice([True, False, None, 1]),
                "context_condition": condition,
            }
            scores = {"bbq": record if rng.random() < 0.95 else {}, "other": dict(record)}
            meta = {"group": group, "keep": rng.random() < 0.85}
            rows.append(_row(f"c{i}", sample, error, meta, scores))
    return rows


@pytest.mark.parametrize(("samples", "chunk", "seed"), [(1, 7, 1), (3, 50, 2), (2, 13, 3)])
def test_bbq_from_columns(write, samples: int, chunk: int, seed: int) -> None:
    """BBQ accuracy and bias scores, their intervals and worst cases from one byte a row."""
    _, verdicts = compare_with_rows(
        write("b.yaml", BBQ), _bbq_rows(160, samples, seed), samples=samples, chunk=chunk, seed=seed
    )
    for verdict in verdicts:
        assert verdict["verdict"] == "fail" and verdict["worst_cases"], verdict["metric"]
