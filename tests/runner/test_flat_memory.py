"""What a streamed run keeps for each case and row (its cases, where their responses lie in
the journal, the case ids' positions, the metric columns, the robustness kinds' source keys,
the review marks) is held on disk: the memory these hold after 8,000 items is that after
1,000 (tracemalloc, which sees numpy's arrays too). Before ``store.spill`` they held 16 to 41
bytes an item in memory; a review policy or a robustness kind kept a slim copy of every row
(``SlimRows``)."""

from __future__ import annotations

import gc
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assurance_harness.datatypes import Case, ResponseRecord
from assurance_harness.metrics.columns import MetricColumns
from assurance_harness.review.policy import ReviewPolicy
from assurance_harness.review.queuecolumns import QueueColumns
from assurance_harness.spec.caselist import CaseList
from assurance_harness.spec.loader import load_suite
from assurance_harness.store import journalindex, spill
from assurance_harness.store.journalindex import CasePositions, JournalIndex

SMALL, LARGE = 1_000, 8_000
SLACK = 12_000
"""Bytes the held memory may differ by: allocator noise and the in-memory keys of
``SortedColumns`` (1/8 byte a row); two bytes an item would be 14,000."""

SUITE = """suite: flat
cases:
  - {id: a, prompt: x, metadata: {group: a, axis: x, template: t}}
  - {id: b, prompt: x, metadata: {group: b, axis: x, template: t}}
scorers: [{id: len, use: length}, {id: bbq, use: bbq-answer}]
metrics:
  - {id: long, rate: "len.words > 3", by: meta.group}
  - {id: words, mean: len.words}
  - {id: p90, quantile: {expr: len.chars, q: 0.9}}
  - {id: gap, disparity: {value: len.words, by: meta.group, within: meta.axis}}
  - {id: gap_rate, disparity: {value: "len.words > 3", by: meta.group, statistic: rate}}
  - {id: bias, bbq: {scorer: bbq, statistic: bias, context: ambig}}
  - {id: delta, paired: {value: len.words, pair_by: meta.template, within: meta.axis}}
gates:
  - {metric: gap, max: 0.1}
  - {metric: gap_rate, max: 0.1}
"""


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spill, "BLOCK", 128)  # buffers far smaller than the sizes compared
    monkeypatch.setattr(spill, "SORT_ROWS", 256)
    monkeypatch.setattr(journalindex, "BLOCK", 128)
    monkeypatch.setattr(journalindex, "PAGE", 256)


def _held(build: Callable[[int], Any], n: int) -> int:
    """Bytes still allocated after ``build(n)``, while what it returned is alive."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = build(n)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del kept
    return held


def _cases(n: int) -> list[Case]:
    return [Case(id=f"c{i}", prompt="p") for i in range(n)]


def _columns(n: int) -> MetricColumns:
    """Columns of rates, means, quantiles, BBQ answers, paired deltas and disparities, two of
    them gated (``within`` strata, and rates whose tied values make every row a candidate worst
    case)."""
    loaded = load_suite(_columns.suite)  # type: ignore[attr-defined]
    columns = MetricColumns(
        loaded.metrics, samples=1, case_id=str, gated={g.metric for g in loaded.suite.gates}
    )
    for start in range(0, n, 500):
        columns.add(
            [
                {
                    "case_id": f"c{i}",
                    "sample": 0,
                    "error": None,
                    "metadata": {
                        "group": "ab"[i % 2],
                        "axis": "xyz"[i % 3],
                        "template": f"t{i // 6 % 40}",  # a paired metric's keys: 40 templates
                    },
                    "scores": {
                        "len": {"words": i % 9, "chars": i % 50},
                        "bbq": {"parsed": True, "biased": i % 3 == 0, "context_condition": "ambig"},
                    },
                }
                for i in range(start, min(n, start + 500))
            ]
        )
    return columns


PAIRS = """suite: pairs
cases: [{id: a, prompt: x, metadata: {source_id: a, original: true, perturbation: none}}]
scorers: [{id: ref, use: refusal}]
metrics:
  - {id: flips, flip-rate: {value: ref.is_refusal}}
  - {id: asr, attack-success: {refused: ref.is_refusal}}
"""


def _pairs(n: int) -> MetricColumns:
    """Robustness kinds' columns: every source a new one (a dict by source would grow)."""
    loaded = load_suite(_pairs.suite)  # type: ignore[attr-defined]
    columns = MetricColumns(loaded.metrics, samples=1, case_id=str)
    for start in range(0, n, 500):
        columns.add(
            [
                {
                    "case_id": f"c{i}",
                    "error": None,
                    "metadata": {"source_id": f"s{i // 3}", "original": i % 3 == 0},
                    "scores": {"ref": {"is_refusal": i % 5 == 0}},
                }
                for i in range(start, min(n, start + 500))
            ]
        )
    return columns


def _marks(n: int) -> QueueColumns:
    # Every row marked, none queued by itself (a queued row's key is kept: it is the queue).
    policy = ReviewPolicy.model_validate(
        {
            "label": "len.words > 7",
            "flag": "len.words > 99",
            "band": {"value": "len.chars", "low": -2, "high": -1},
        }
    )
    marks = QueueColumns(policy, seed=1, samples=1, case_id=str)
    for start in range(0, n, 500):
        marks.add(
            [
                {
                    "case_id": str(i),
                    "sample": 0,
                    "error": None,
                    "scores": {"len": {"words": i % 9, "chars": i % 50}},
                }
                for i in range(start, min(n, start + 500))
            ]
        )
    return marks


def _journal(n: int) -> JournalIndex:
    path = _journal.path  # type: ignore[attr-defined]
    with path.open("w") as handle:
        for i in range(n):
            record = ResponseRecord(case_id=f"c{i}", sample=0, seed=1, response="r")
            handle.write(json.dumps(record.to_dict()) + "\n")
    return JournalIndex(path, lambda keys: np.array([int(c[1:]) for c, _ in keys]), n)


@pytest.mark.parametrize("what", ["cases", "positions", "journal", "columns", "review", "pairs"])
def test_held_memory_does_not_grow_with_the_run(tmp_path: Path, what: str) -> None:
    (tmp_path / "s.yaml").write_text(SUITE)
    _columns.suite = tmp_path / "s.yaml"  # type: ignore[attr-defined]
    (tmp_path / "p.yaml").write_text(PAIRS)
    _pairs.suite = tmp_path / "p.yaml"  # type: ignore[attr-defined]
    _journal.path = tmp_path / "responses.jsonl"  # type: ignore[attr-defined]
    cases = {n: _cases(n) for n in (SMALL, LARGE)}
    build: Callable[[int], Any] = {
        "cases": lambda n: CaseList.build(cases[n]),
        "positions": lambda n: CasePositions(cases[n]),
        "journal": _journal,
        "columns": _columns,
        "review": _marks,
        "pairs": _pairs,
    }[what]
    build(SMALL)  # first use: imports and caches
    small, large = _held(build, SMALL), _held(build, LARGE)
    assert large - small < SLACK, (small, large)
