"""Rows a rate, mean or quantile skipped because their request failed are said to be failed
requests beside the figure, not "no value": "n=36, 4 rows skipped: no value" beside a run with 4
errors sent the reader after a missing field or a scorer's null, where the model was never
heard. Rows and a streamed run's columns alike."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.formatting import coverage_notes
from tests.metrics.columns_check import compare_with_rows

SUITE = """suite: skipped
cases:
  - {id: a, prompt: x}
scorers:
  - {id: m, use: regex, with: {pattern: rude}}
metrics:
  - {id: rude, rate: m.matched}
  - {id: count, mean: m.count}
  - {id: count_q, quantile: {expr: m.count, q: 0.5}}
"""


def _row(i: int, failed: bool, null: bool = False) -> dict:
    return {
        "case_id": f"c{i}",
        "sample": 0,
        "response": None if failed else "r",
        "error": {"type": "timeout", "message": "t"} if failed else None,
        "metadata": {},
        "expected": {},
        "scores": {}
        if failed
        else {"m": {"matched": None if null else i % 3 == 0, "count": None if null else i % 4}},
    }


# 20 answered rows (one with null scores), 3 failed requests.
ROWS = [_row(i, failed=False, null=i == 5) for i in range(20)] + [
    _row(i, failed=True) for i in range(20, 23)
]


def test_failed_requests_are_named_among_the_skipped_rows(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    values, _ = compare_with_rows(suite, ROWS, samples=1, chunk=7, seed=0)
    for metric in ("rude", "count", "count_q"):
        figure = values[metric].to_dict()
        figure["kind"] = {"rude": "rate", "count": "mean", "count_q": "quantile"}[metric]
        assert figure["n"] == 19 and figure["details"]["n_skipped"] == 4, figure
        assert figure["details"]["n_skipped_failed"] == 3, figure
        assert coverage_notes(figure) == [
            "n=19, 4 rows skipped: 3 failed requests, 1 with no value"
        ], metric
