"""guard-model says on each row whether it could read the classifier's answer
(``parse_error``), as llm-judge does. Observed: a Llama Guard reply that is neither ``safe`` nor
``unsafe`` (without log-probabilities) gave ``score: null`` and nothing else, so a metric on
``guard.flagged`` said only "1 row skipped: no value" (or, on every row, "was null on all N
rows"), never that the guard's answer could not be parsed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.datatypes import Case, ScoreInput, SuiteContext
from assurance_harness.metrics.engine import compute_metrics
from assurance_harness.scorers.guard_model import GuardModelScorer, GuardParams
from assurance_harness.spec.loader import load_suite

from .test_guard_hostile_answers import _answering


def _guard_row(body: bytes, fmt: str = "llama-guard") -> dict:
    with _answering(body) as url:
        params = {"base_url": url, "model": "m", "timeout_s": 5, "format": fmt}
        guard = GuardModelScorer(GuardParams(**params), SuiteContext("g", 0))
        guard.setup()
        return guard.score([ScoreInput(Case(id="c", prompt="p"), 0, "r", {})])[0]


def _chat(text: str) -> bytes:
    choice = json.dumps({"message": {"content": text}})
    return f'{{"model": "m", "choices": [{choice}]}}'.encode()


@pytest.mark.parametrize(
    ("body", "fmt", "unread"),
    [
        (_chat("safe"), "llama-guard", False),
        (_chat("unsafe\nS1"), "llama-guard", False),
        (_chat("I am not able to say."), "llama-guard", True),
        (b'{"model": "m", "choices": [{"text": "Yes"}]}', "shieldgemma", False),
        (b'{"model": "m", "choices": [{"text": "Perhaps"}]}', "shieldgemma", True),
    ],
)
def test_each_verdict_says_whether_the_answer_was_read(body: bytes, fmt: str, unread: bool) -> None:
    row = _guard_row(body, fmt)
    assert row["parse_error"] is unread, row
    assert (row["score"] is None) is unread, row


def test_a_metric_names_the_rows_the_guard_could_not_read(tmp_path: Path) -> None:
    outputs = [
        _guard_row(_chat("safe")),
        _guard_row(_chat("unsafe\nS1")),
        _guard_row(_chat("I am not able to say.")),
    ]
    rows = [
        {"case_id": f"c{i}", "sample": 0, "response": "r", "error": None, "metadata": {},
         "expected": {}, "scores": {"guard": out}}
        for i, out in enumerate(outputs)
    ]  # fmt: skip
    (tmp_path / "s.yaml").write_text(
        "suite: g\ncases: [{id: c0, prompt: p}]\n"
        "scorers: [{id: guard, use: guard-model, with: {base_url: 'http://127.0.0.1:9/v1', "
        "model: m}}]\n"
        "metrics:\n  - {id: unsafe, rate: guard.flagged}\n  - {id: none, rate: guard.flagged, "
        "where: guard.parse_error}\n",
        encoding="utf-8",
    )
    metrics = compute_metrics(load_suite(tmp_path / "s.yaml").metrics, rows, seed=0)
    unsafe = metrics["unsafe"]
    assert (unsafe.value, unsafe.n) == (0.5, 2)
    assert unsafe.details["n_skipped_unread"] == {"guard": 1}, unsafe.details
    reason = metrics["none"].details["no_data_reason"]
    assert "scorer 'guard' could not parse the answer it was given on 1 of them" in reason
