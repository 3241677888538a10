"""The paired kind from a streamed run's columns (``metrics.columns``: pair key, group and
stratum codes, the value as a number) gives exactly the values, intervals, details, no-data
reasons and gate worst cases that ``PairedDeltaMetric`` computes from rows."""

from __future__ import annotations

import math
import random

import pytest

from tests.metrics.columns_check import compare_with_rows

SUITE = """suite: paired
cases:
  - id: a
    prompt: x
    metadata: {template: t, group: a, axis: x, region: n, keep: true, v: 0.5}
  - id: b
    prompt: x
    metadata: {template: t, group: b, axis: x, region: n, keep: true, v: 0.5}
scorers:
  - {id: s, use: refusal}
metrics:
  - {id: mean_ref, paired: {value: meta.v, reference: a}}
  - {id: mean_pair, paired: {value: meta.v, min_pairs: 3}}
  - {id: none_ref, paired: {value: meta.v, reference: "None"}}
  - {id: within, paired: {value: meta.v, within: meta.axis}}
  - {id: within_ref, paired: {value: meta.v, reference: b, within: meta.axis, min_pairs: 2}}
  - {id: by_region, paired: {value: meta.v, reference: a}, by: meta.region, where: meta.keep}
  - {id: missing_ref, paired: {value: meta.v, reference: zz}}
  - {id: none_kept, paired: {value: meta.v}, where: "meta.keep and not meta.keep"}
gates:
  - {metric: mean_ref, max: 0.0, each_group: true}
  - {metric: mean_ref, min: 0.0}
  - {metric: mean_pair, min: 0.0, each_group: true}
  - {metric: none_ref, max: 0.0, each_group: true}
  - {metric: within, max: 0.0, each_group: true}
  - {metric: within_ref, min: 0.0, each_group: true}
  - {metric: by_region, max: 0.0, each_group: true}
  - {metric: by_region, min: 0.0}
  - {metric: missing_ref, max: 0.0}
  - {metric: none_kept, max: 0.0}
"""


def _rows(n_templates: int, samples: int, seed: int) -> list[dict]:
    """Pairs in shuffled order with what pairing must get right: null, "None" and missing
    groups, null and numeric pair keys, null, NaN, boolean and repeated values, pairs
    without the reference, null strata. (Text as a value leaves no figure at all:
    tests/metrics/test_values_of_the_wrong_kind.py.)"""
    rng = random.Random(seed)
    cases = []
    for t in range(n_templates):
        key = rng.choice([f"t{t}", f"t{t}", t, None]) if rng.random() < 0.1 else f"t{t}"
        axis = rng.choice(["x", "x", "y", None])
        for group in rng.sample(["a", "b", "c", "None", None], rng.randint(0, 5)):
            cases.append((f"{t}-{group}", {"template": key, "group": group, "axis": axis}))
    rng.shuffle(cases)
    rows = []
    for case_id, meta in cases:
        for sample in range(samples):
            v = rng.choice(
                [rng.random(), rng.random(), round(rng.random(), 1), None, math.nan, 0.5, True]
            )
            rows.append(
                {
                    "case_id": case_id,
                    "sample": sample,
                    "response": "r",
                    "error": None,
                    "expected": {},
                    "metadata": {
                        **meta,
                        "v": v,
                        "region": rng.choice(["n", "s", None]),
                        "keep": rng.random() < 0.9,
                    },
                    "scores": {},
                }
            )
    return rows


@pytest.mark.parametrize(("samples", "chunk", "seed"), [(1, 7, 1), (1, 500, 2), (3, 50, 3)])
def test_paired_from_columns(write, samples: int, chunk: int, seed: int) -> None:
    rows = _rows(150, samples, seed)
    got, verdicts = compare_with_rows(
        write("p.yaml", SUITE), rows, samples=samples, chunk=chunk, seed=seed
    )
    assert "no_data_reason" in got["none_kept"].details
    assert got["none_ref"].groups  # a group literally named "None" is the reference
    named = sum(len(v["worst_cases"]) for v in verdicts)
    assert named > 50  # the gates fail and name cases: the comparison is not vacuous


@pytest.mark.parametrize(
    ("n_templates", "null_keys"), [(0, False), (1, False), (2, False), (9, True)]
)
def test_few_rows(write, n_templates: int, null_keys: bool) -> None:
    rows = _rows(n_templates, 1, seed=9)
    for row in rows if null_keys else []:
        row["metadata"]["template"] = None
    compare_with_rows(write("p.yaml", SUITE), rows, samples=1, chunk=max(1, len(rows)), seed=1)
