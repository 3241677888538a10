"""A streamed run's review marks (``review.queuecolumns``) give exactly the queue that the
policy selected from the run's rows in memory (``build_queue`` below, as the runner had it
before the marks went to disk): the same rows, order, reasons, QC picks and labels."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from assurance_harness.metrics._grouping import number
from assurance_harness.metrics.expr import evaluate
from assurance_harness.review import queuecolumns
from assurance_harness.review.policy import ReviewPolicy, qc_pick, row_key
from assurance_harness.review.queuecolumns import QueueColumns
from assurance_harness.store import spill


def build_queue(
    policy: ReviewPolicy, rows: list[dict[str, Any]], gates: list[dict[str, Any]], *, seed: int
) -> list[dict[str, Any]]:
    """The queue from rows in memory: review.policy.build_queue as it was (reference)."""
    reasons: dict[str, list[str]] = {}
    for gate in gates:
        if gate.get("verdict") == "pass":
            continue
        for key in list(gate.get("worst_cases") or [])[: policy.worst_of_failing_gates]:
            reasons.setdefault(str(key), []).append(f"worst:{gate.get('id')}")
    queue = []
    for row in rows:
        if row.get("error") is not None:
            continue
        key = row_key(row)
        why: list[str] = []
        if evaluate(policy.flag_expr, row):
            why.append("flag")
        if policy.band is not None:
            figure = number(evaluate(policy.band.value, row))
            if figure is not None and policy.band.low <= figure <= policy.band.high:
                why.append("band")
        why += reasons.get(key, [])
        if policy.sample and qc_pick(seed, key, policy.sample):
            why.append("qc")
        if why:
            value = evaluate(policy.label, row)
            queue.append(
                {"key": key, "reasons": why, "scorer_label": None if value is None else bool(value)}
            )
    return queue


def _rows(n_cases: int, samples: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n_cases):
        for sample in range(samples):
            error = {"type": "timeout"} if rng.random() < 0.05 else None
            tox = rng.choice([None, "high", 0, 1, True]) if rng.random() < 0.1 else rng.random()
            rows.append(
                {
                    "case_id": f"c{i}" if i % 7 else f"c#{i}",  # a case id with '#'
                    "sample": sample,
                    "error": error,
                    "metadata": {"group": rng.choice("ab")},
                    "scores": {} if error else {"tox": {"toxicity": tox}, "n": {"v": i % 11}},
                }
            )
    return rows


POLICIES = [
    {"label": "tox.toxicity > 0.5"},
    {"label": "tox.toxicity > 0.5", "flag": "tox.toxicity > 0.9", "sample": 0.1},
    {
        "label": "tox.toxicity",
        "flag": "false",
        "band": {"value": "tox.toxicity", "low": 0.4, "high": 0.6},
        "worst_of_failing_gates": 3,
        "sample": 0.05,
    },
    {
        "label": "n.v > 5",
        "band": {"value": "n.v", "low": 2, "high": 2},
        "worst_of_failing_gates": 0,
    },
]


def _gates(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = [row_key(r) for r in rows]
    rng = random.Random(3)
    return [
        {"id": "a", "verdict": "fail", "worst_cases": rng.sample(keys, 10)},
        {"id": "b", "verdict": "pass", "worst_cases": rng.sample(keys, 10)},
        {"id": "c", "verdict": "fail", "worst_cases": [keys[0], keys[5], "nowhere#0", *keys[1:4]]},
        {"id": "d", "verdict": "no_data"},
    ]


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize(("samples", "chunk"), [(1, 7), (3, 50)])
def test_marks_give_the_queue_from_rows(policy: dict, samples: int, chunk: int) -> None:
    review = ReviewPolicy.model_validate(policy)
    rows = _rows(300, samples, seed=samples)
    gates = _gates(rows)
    marks = QueueColumns(
        review, seed=11, samples=samples, case_id=lambda i: rows[i * samples]["case_id"]
    )
    for start in range(0, len(rows), chunk):
        marks.add(rows[start : start + chunk])
    want = build_queue(review, rows, gates, seed=11)
    assert want  # every policy queues something here
    assert json.dumps(marks.queue(gates)) == json.dumps(want)


def test_rows_sharing_a_hash_are_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worst cases are found by a 64-bit hash of the key; a row whose key only shares the hash
    is not queued for it."""
    monkeypatch.setattr(queuecolumns, "key64", lambda text: len(text))  # many collisions
    monkeypatch.setattr(spill, "BLOCK", 16)
    review = ReviewPolicy.model_validate({"label": "false", "worst_of_failing_gates": 5})
    rows = _rows(100, 1, seed=4)
    gates = [{"id": "g", "verdict": "fail", "worst_cases": ["c12#0", "c50#0"]}]
    marks = QueueColumns(review, seed=1, samples=1, case_id=lambda i: rows[i]["case_id"])
    marks.add(rows)
    got = marks.queue(gates)
    assert got == build_queue(review, rows, gates, seed=1)
    assert [item["key"] for item in got] == [
        k for k in ("c12#0", "c50#0") if rows[int(k[1:-2])]["error"] is None
    ]
