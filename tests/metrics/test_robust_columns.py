"""The robustness kinds (flip-rate, attack-success) from a streamed run's columns
(``metrics.robustcolumns``) give exactly the values, intervals, details, no-data reasons and
gate worst cases that the kinds compute from rows."""

from __future__ import annotations

import random

import pytest

from tests.metrics.columns_check import compare_with_rows

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
    rows = _rows(120, samples, seed)
    got, verdicts = compare_with_rows(
        write("p.yaml", SUITE), rows, samples=samples, chunk=chunk, seed=seed
    )
    assert "no_data_reason" in got["none_kept"].details
    named = sum(len(v["worst_cases"]) for v in verdicts)
    assert named > 30  # the gates fail and name cases: the comparison is not vacuous


@pytest.mark.parametrize("n_sources", [0, 1])
def test_few_rows(write, n_sources: int) -> None:
    rows = _rows(n_sources, 1, seed=9)
    compare_with_rows(write("p.yaml", SUITE), rows, samples=1, chunk=max(1, len(rows)), seed=1)
