"""A run scored in small chunks writes the same results.jsonl rows, in the same order, and the same
metrics, gates, counts and review queue as one scored in a single chunk: streaming changes
what is held in memory, never what is recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.review.policy import ReviewPolicy
from assurance_harness.runner import rowstream
from assurance_harness.runner.run import run_suite

from .rowfiles import comparable_rows

SUITE = """\
suite: chunks
version: 1.0.0
samples: 2
dataset:
  path: cases.jsonl
  fields: {prompt: text, id: id, meta.group: group}
max_error_rate: 0.5
scorers:
  - {id: len, use: length}
  - {id: rx, use: regex, with: {pattern: sorry}}
metrics:
  - {id: sorry_rate, rate: "rx.matched", by: meta.group}
  - {id: mean_words, mean: "len.words", where: "not rx.matched"}
  - {id: p90_chars, quantile: {expr: "len.chars", q: 0.9}}
  - {id: gap, disparity: {value: len.words, by: meta.group}}
review:
  label: "rx.matched"
  sample: 0.1
gates:
  - {metric: sorry_rate, max: 0.05}
  - {metric: mean_words, max: 2}
  - {metric: p90_chars, max: 1000}
"""

BOT = """\
def reply(messages, params):
    text = messages[-1]["content"]
    n = int(text.split()[-1])
    if n % 13 == 3:
        raise RuntimeError("flaky")
    return ("sorry, " if n % 5 == 0 else "") + "word " * (n % 9 + params["seed"] % 2)
"""


def _run(tmp_path: Path, name: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    outcome = run_suite(
        tmp_path / "suite.yaml",
        tmp_path / "bot.yaml",
        reports_dir=tmp_path / name,
        use_cache=False,
        write_reports=False,
        attach_evidence=False,
    )
    summary = json.loads((outcome.run_dir / "summary.json").read_text())
    for key in ("run_id", "started_at", "finished_at"):
        summary.pop(key)
    return comparable_rows(outcome.run_dir), summary


def _project(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    (tmp_path / "bot.py").write_text(BOT)
    (tmp_path / "bot.yaml").write_text(
        "type: callable\nfunction: bot:reply\npython_path: ['.']\nconcurrency: 4\n"
        "retry: {max_attempts: 1}\n"
    )
    with (tmp_path / "cases.jsonl").open("w") as handle:
        for i in range(60):
            handle.write(json.dumps({"id": f"c{i}", "text": f"case {i}", "group": "ab"[i % 2]}))
            handle.write("\n")


def test_small_chunks_record_what_one_chunk_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    whole = _run(tmp_path, "whole")
    monkeypatch.setattr(rowstream, "CHUNK_ROWS", 7)
    chunked = _run(tmp_path, "chunked")
    assert chunked[0] == whole[0]
    assert chunked[1] == whole[1]
    summary = whole[1]
    assert summary["counts"]["requests"] == 120 and summary["counts"]["errors"] > 0
    assert any(g["worst_cases"] for g in summary["gates"])  # a failing gate names its rows
    assert summary["review"]["queued"] > 0


def test_a_review_policy_keeps_no_row_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Observed: a suite with a review policy kept a slim copy of every row for the whole run
    (``SlimRows``), so its memory grew with the run. Its metrics now stream into columns and
    its review marks to disk; the queue is the one the policy selects from the rows."""
    from ..review.test_queue_columns import build_queue

    def no_slim_rows(expressions: str) -> None:
        raise AssertionError("rows kept in memory")

    _project(tmp_path)
    monkeypatch.setattr(rowstream, "SlimRows", no_slim_rows)
    monkeypatch.setattr(rowstream, "CHUNK_ROWS", 7)
    rows, summary = _run(tmp_path, "run")
    policy = ReviewPolicy.model_validate(summary["review"]["policy"])
    want = build_queue(policy, rows, summary["gates"], seed=summary["seed"])
    assert summary["review"]["queue"] == want
    reasons = {r.split(":")[0] for item in want for r in item["reasons"]}
    assert reasons == {"flag", "qc", "worst"}
