"""The robustness kinds (flip-rate, attack-success) from a streamed run's columns
(``metrics.paircolumns``) give exactly the values, intervals, details, no-data reasons and
gate worst cases that the kinds compute from rows."""

from __future__ import annotations

import json
import random

import pytest

from assurance_harness.metrics.columns import MetricColumns, compact_supported
from assurance_harness.metrics.engine import compute_metrics, judge_gate
from assurance_harness.spec.loader import load_suite

SUITE = """suite: pairs
cases:
  - id: a
    prompt: x
    metadata: {source_id: a, original: true, perturbation: none, region: n, keep: true}
scorers:
  - {id: ref, use: refusal}
  - {id: tox, use: offensive-language}
metrics:
  - {id: flips, flip-rate: {value: ref.is_refusal}}
  - {id: flips_by, flip-rate: {value: ref.is_refusal}, by: meta.region, where: meta.keep}
  - {id: flips_all, flip-rate: {value: ref.is_refusal, skip_unchanged: false}}
  - {id: asr, attack-success: {refused: ref.is_refusal}}
  - id: asr_harm
    attack-success: {refused: ref.is_refusal, success: "ref.label == 'compliance'",
                     harmful: tox.flagged}
  - {id: asr_by, attack-success: {refused: ref.is_refusal, harmful: tox.flagged}, by: meta.region}
  - {id: none_kept, flip-rate: {value: ref.is_refusal}, where: "meta.keep and not meta.keep"}
gates:
  - {metric: flips, max: 0.0, each_group: true}
  - {metric: flips_by, max: 0.0, each_group: true}
  - {metric: flips_all, max: 0.0}
  - {metric: asr, max: 0.0, each_group: true}
  - {metric: asr_harm, min: 0.9}
  - {metric: asr_by, max: 0.0, each_group: true}
  - {metric: none_kept, max: 0.0}
"""


def _rows(n_sources: int, samples: int, seed: int) -> list[dict]:
    """Originals and variants in shuffled order, with what pairing must get right: missing and
    repeated originals, null sources, null and "None" operators, unchanged variants, failed
    requests (an empty error dict is no failure to the pairing), null decisions."""
    rng = random.Random(seed)
    cases = []
    for s in range(n_sources):
        source = f"s{s}"
        originals = 0 if rng.random() < 0.1 else 2 if rng.random() < 0.05 else 1
        for j in range(originals):
            cases.append((f"{source}#o{j}", {"source_id": source, "original": True}))
        for j in range(rng.randint(0, 4)):
            op = rng.choice(["leet", "upper", "upper", None, "None"])
            meta = {"source_id": source, "original": False, "perturbation": op}
            if rng.random() < 0.1:
                meta["perturbation_changed"] = False
            if rng.random() < 0.05:
                meta["source_id"] = None
            cases.append((f"{source}~{op}{j}", meta))
    if rng.random() < 0.5:
        cases.append(("orphan-original", {"source_id": None, "original": True}))
    rng.shuffle(cases)
    rows = []
    for case_id, meta in cases:
        for sample in range(samples):
            error = rng.choice([{"type": "timeout"}, {}]) if rng.random() < 0.06 else None
            rows.append(
                {
                    "case_id": case_id,
                    "sample": sample,
                    "response": "r",
                    "error": error,
                    "expected": {},
                    "metadata": {**meta, "region": rng.choice("ns"), "keep": rng.random() < 0.9},
                    "scores": {}
                    if error
                    else {
                        "ref": {
                            "is_refusal": rng.choice([True, True, False, None, "yes", 0]),
                            "label": rng.choice(["compliance", "refusal", None]),
                        },
                        "tox": {"flagged": rng.choice([True, False, None])},
                    },
                }
            )
    return rows


@pytest.mark.parametrize(("samples", "chunk", "seed"), [(1, 7, 1), (1, 500, 2), (3, 50, 3)])
def test_pair_kinds_from_columns(write, samples: int, chunk: int, seed: int) -> None:
    loaded = load_suite(write("p.yaml", SUITE))
    gates = loaded.suite.gates
    assert compact_supported(loaded.metrics, gates)
    rows = _rows(120, samples, seed)
    columns = MetricColumns(
        loaded.metrics, samples=samples, case_id=lambda i: rows[i * samples]["case_id"]
    )
    for start in range(0, len(rows), chunk):
        columns.add(rows[start : start + chunk])

    expected = compute_metrics(loaded.metrics, rows, seed=seed)
    got = columns.compute(seed=seed)
    for spec in loaded.metrics:
        want = json.dumps(expected[spec.id].to_dict(), sort_keys=True)
        assert json.dumps(got[spec.id].to_dict(), sort_keys=True) == want, spec.id
    assert "no_data_reason" in got["none_kept"].details
    specs = {m.id: m for m in loaded.metrics}
    named = 0
    for gate in gates:
        spec = specs[gate.metric]
        from_rows = judge_gate(gate, expected[gate.metric], spec, rows)
        assert judge_gate(gate, got[gate.metric], spec, columns) == from_rows, gate.metric
        named += len(from_rows["worst_cases"])
    assert named > 30  # the gates fail and name cases: the comparison is not vacuous


@pytest.mark.parametrize("n_sources", [0, 1])
def test_few_rows(write, n_sources: int) -> None:
    loaded = load_suite(write("p.yaml", SUITE))
    rows = _rows(n_sources, 1, seed=9)
    columns = MetricColumns(loaded.metrics, samples=1, case_id=lambda i: rows[i]["case_id"])
    columns.add(rows)
    expected = compute_metrics(loaded.metrics, rows, seed=1)
    got = columns.compute(seed=1)
    for spec in loaded.metrics:
        want = json.dumps(expected[spec.id].to_dict(), sort_keys=True)
        assert json.dumps(got[spec.id].to_dict(), sort_keys=True) == want, spec.id
