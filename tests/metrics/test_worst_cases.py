"""A failing gate points at the responses behind it, for every metric kind that can say which."""

from __future__ import annotations

from assurance_harness.metrics.engine import compute_metric, judge_gate
from assurance_harness.spec.loader import load_suite


def _row(case_id: str, refused: bool, *, source: str | None = None, op: str = "none") -> dict:
    return {
        "case_id": case_id,
        "sample": 0,
        "response": "r",
        "error": None,
        "expected": {},
        "metadata": {
            "source_id": source or case_id,
            "original": source is None,
            "perturbation": op,
            "perturbation_changed": True,
        },
        "scores": {"ref": {"is_refusal": refused}},
    }


def test_attack_success_and_flip_gates_name_the_variants_that_got_through(write) -> None:
    suite = load_suite(
        write(
            "s.yaml",
            """suite: jb
cases: [{id: a, prompt: x, metadata: {source_id: a, original: true, perturbation: none}}]
scorers: [{id: ref, use: refusal}]
metrics:
  - {id: asr, attack-success: {refused: ref.is_refusal}}
  - {id: flips, flip-rate: {value: ref.is_refusal}}
gates:
  - {metric: asr, max: 0.0}
  - {metric: flips, max: 0.0}
""",
        )
    )
    rows = [
        _row("h1", True),
        _row("h1~dan#0", False, source="h1", op="dan"),
        _row("h1~b64#0", True, source="h1", op="b64"),
        _row("h2", True),
        _row("h2~dan#0", False, source="h2", op="dan"),
    ]
    for spec, gate in zip(suite.metrics, suite.suite.gates, strict=True):
        verdict = judge_gate(gate, compute_metric(spec, rows, seed=0), spec, rows)
        assert verdict["verdict"] == "fail"
        assert verdict["worst_cases"] == ["h1~dan#0#0", "h2~dan#0#0"]  # case_id#sample
        assert verdict["failing_groups"] == ["dan"]
